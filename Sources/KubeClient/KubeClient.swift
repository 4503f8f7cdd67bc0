/// KubeClient: see DESIGN.md §1.
public enum KubeClientModule {}
