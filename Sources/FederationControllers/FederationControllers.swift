/// FederationControllers: see DESIGN.md §1.
public enum FederationControllersModule {}
