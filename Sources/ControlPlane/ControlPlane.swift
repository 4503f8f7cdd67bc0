/// ControlPlane is Concord's embedded Kubernetes-compatible API server: SQLite storage,
/// watch, discovery, OpenAPI, validation and tables. It never imports the controllers.
public enum ControlPlaneModule {}
