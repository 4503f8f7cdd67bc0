/// Code that uses the federation kinds also uses the Kubernetes types they are built from.
@_exported import KubernetesAPI
