import GRDB

/// The SQLite schema of the object store.
///
/// - `meta`: one row holding the newest committed revision and the highest compacted (deleted) history revision.
/// - `objects`: the current state, one row per key, the object as compact JSON bytes.
/// - `events`: the change history, one row per revision (revisions are gap-free), compacted from the oldest end.
enum StorageSchema {
    /// Creates or upgrades the schema.
    static func migrate(_ writer: some DatabaseWriter) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        revision INTEGER NOT NULL,
                        compacted INTEGER NOT NULL
                    );
                    INSERT INTO meta (id, revision, compacted) VALUES (1, 0, 0);
                    CREATE TABLE objects (
                        id INTEGER PRIMARY KEY,
                        resource TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX objects_by_key ON objects (resource, namespace, name);
                    CREATE TABLE events (
                        revision INTEGER PRIMARY KEY,
                        type INTEGER NOT NULL,
                        resource TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        previous_revision INTEGER,
                        created_at INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        previous BLOB
                    );
                    """
            )
        }
        try migrator.migrate(writer)
    }
}

/// The `events.type` column's encoding.
extension StorageEventType {
    /// The integer stored in `events.type`.
    var storageCode: Int {
        switch self {
        case .added: return 0
        case .modified: return 1
        case .deleted: return 2
        }
    }

    /// Decodes `events.type`.
    init?(storageCode: Int) {
        switch storageCode {
        case 0: self = .added
        case 1: self = .modified
        case 2: self = .deleted
        default: return nil
        }
    }
}
