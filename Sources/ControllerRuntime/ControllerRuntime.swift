/// ControllerRuntime: see DESIGN.md §1.
public enum ControllerRuntimeModule {}
