/// FederationCore holds Concord's pure decisions: health, promotion and fencing, replication
/// and conflicts, failover and migration plans. Every function takes time as an argument (`now`);
/// nothing here performs I/O, reads a clock or logs.
public enum FederationCore {}
