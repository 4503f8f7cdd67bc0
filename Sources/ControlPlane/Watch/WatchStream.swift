import Foundation
import Hummingbird
import KubernetesAPI
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves `?watch=true`: a chunked stream of newline-delimited JSON events.
///
/// Starting at `resourceVersion` "" / "0" / absent sends a synthetic ADDED for every current match first;
/// so does `sendInitialEvents=true` (the streaming list), which then sends a BOOKMARK annotated
/// `k8s.io/initial-events-end: "true"` when bookmarks are allowed; `sendInitialEvents=false` sends changes only.
/// A resume point older than the retained history gets an ERROR 410 inside the 200 stream. BOOKMARKs go
/// out every `bookmarkInterval` only when the client allowed them. `timeoutSeconds` closes the stream
/// cleanly; a client that goes away cancels it; graceful shutdown ends it.
struct WatchStream: Sendable {
    let handler: ResourceHandler
    let definition: ResourceDefinition
    let namespace: String?
    let options: ListOptions
    let table: TableRequest?
    let clock: any Clock<Duration>
    let bookmarkInterval: Duration

    private enum Item: Sendable {
        /// Storage events that became ready together; written to the client in one write.
        case events([StorageEvent])
        case bookmark
        case timeout
    }

    /// Where a watch starts: the revision it resumes after and the current matches it sends first.
    private struct Start: Sendable {
        var revision: Int64
        var initial: [JSONValue]
    }

    /// The response: 200, `application/json`, chunked. Reads the initial state first, so a revision newer
    /// than the store is answered with a plain 504 before any stream starts.
    func response(for request: Request) async throws -> Response {
        let start = try await self.start()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache, private"
        let body = ResponseBody { writer in
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await self.run(&writer, from: start)
                }
            } catch is CancellationError {
                // The client went away or the server is shutting down.
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The start revision and initial events: the current state for a streaming list (`sendInitialEvents=true`)
    /// or a legacy watch without a revision; nothing but the resume point otherwise.
    private func start() async throws -> Start {
        let resource = definition.storageResource
        let ns = definition.namespaced ? namespace : nil
        if options.sendsInitialEvents {
            let (objects, revision) = try await handler.storage(definition, name: "") {
                try await handler.store.list(resource: resource, namespace: ns)
            }
            try ResourceHandler.checkRevision(options, current: revision)
            let current = objects.map { handler.present($0.object, definition) }
            return Start(revision: revision, initial: current.filter { options.filter.matches($0) })
        }
        let current = try await handler.storage(definition, name: "") { try await handler.store.currentRevision() }
        try ResourceHandler.checkRevision(options, current: current)
        return Start(revision: options.minimumRevision ?? current, initial: [])
    }

    private func run(_ writer: inout any ResponseBodyWriter, from start: Start) async throws {
        var encoder = EventEncoder(definition: definition, table: table, handler: handler)
        let resource = definition.storageResource
        let ns = definition.namespaced ? namespace : nil
        let startRevision = start.revision
        let watch: StorageWatch
        do {
            watch = try await handler.store.watch(resource: resource, namespace: ns, after: startRevision)
        } catch let e as StorageError {
            if case .expired(let oldest) = e.code {
                try await writer.write(encoder.error(APIError.expired(requested: startRevision, oldest: oldest)))
                return
            }
            throw e
        }
        // The current state goes out first; changes after it wait in the storage watch meanwhile.
        var initialLines = ByteBuffer()
        for object in start.initial {
            var line = encoder.event("ADDED", object)
            initialLines.writeBuffer(&line)
            if initialLines.readableBytes >= 1 << 20 {
                try await writer.write(initialLines)
                initialLines.clear()
            }
        }
        // A streaming list ends its initial events with a bookmark the client syncs on (when it takes bookmarks).
        if options.sendInitialEvents == true, options.allowBookmarks {
            var line = encoder.bookmark(revision: startRevision, initialEventsEnd: true)
            initialLines.writeBuffer(&line)
        }
        if initialLines.readableBytes > 0 { try await writer.write(initialLines) }
        // Events taken from storage but not yet written are bounded by the backlog, so `items` needs no bound of its own.
        let (items, continuation) = AsyncThrowingStream<Item, any Error>.makeStream(bufferingPolicy: .unbounded)
        let backlog = WatchBacklog(limit: 4096)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await batch in watch.batches {
                        guard backlog.admit(batch.count) else {
                            continuation.finish(throwing: StorageError(.expired(oldest: batch[0].revision)))
                            return
                        }
                        continuation.yield(.events(batch))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            if options.allowBookmarks {
                let clock = self.clock, interval = self.bookmarkInterval
                group.addTask {
                    while !Task.isCancelled {
                        try await clock.sleep(for: interval)
                        continuation.yield(.bookmark)
                    }
                }
            }
            if let seconds = options.timeoutSeconds {
                let clock = self.clock
                group.addTask {
                    try await clock.sleep(for: .seconds(seconds))
                    continuation.yield(.timeout)
                }
            }
            var lastRevision = startRevision
            do {
                loop: for try await item in items.cancelOnGracefulShutdown() {
                    switch item {
                    case .events(let events):
                        var lines = ByteBuffer()
                        for stored in events {
                            let event = handler.present(stored, definition)
                            lastRevision = event.revision
                            guard let (type, object) = WatchFilter.translate(event, filter: options.filter) else { continue }
                            // The bytes the store wrote are those of the object sent: not so for one leaving the selection.
                            if let stored = event.encodedObject, encoder.sendsStoredObjects, type != "DELETED" || event.type == .deleted {
                                // The bytes the store wrote: no per-watcher encoding.
                                EventEncoder.writeLine(type: type, encodedObject: stored, into: &lines)
                            } else {
                                var line = encoder.event(type, object)
                                lines.writeBuffer(&line)
                            }
                        }
                        if lines.readableBytes > 0 { try await writer.write(lines) }
                        backlog.release(events.count)
                    case .bookmark:
                        try await writer.write(encoder.bookmark(revision: lastRevision))
                    case .timeout:
                        break loop
                    }
                }
            } catch let e as StorageError {
                if case .expired(let oldest) = e.code {
                    try await writer.write(encoder.error(APIError.expired(requested: lastRevision, oldest: oldest)))
                } else {
                    try await writer.write(encoder.error(StatusBody.apiError(for: e)))
                }
            }
            group.cancelAll()
            continuation.finish()
        }
    }
}

/// Counts the events a watch has taken from storage but not yet written to its client; a client that
/// lets more than `limit` pile up is too slow and gets 410 Expired (it must relist).
final class WatchBacklog: Sendable {
    private let limit: Int
    private let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Adds `events` to the backlog; false (and nothing added) when that would exceed the limit. An empty
    /// backlog takes any batch, so a batch larger than the limit is not a reason to give up on a client.
    func admit(_ events: Int) -> Bool {
        count.withLock { count in
            guard count == 0 || count + events <= limit else { return false }
            count += events
            return true
        }
    }

    /// Removes `events` written to the client.
    func release(_ events: Int) { count.withLock { $0 -= events } }
}

/// Encodes watch events as JSON lines, turning objects into one-row Tables when asked to.
struct EventEncoder {
    let definition: ResourceDefinition
    let table: TableRequest?
    let handler: ResourceHandler
    private var sentColumns = false

    init(definition: ResourceDefinition, table: TableRequest?, handler: ResourceHandler) {
        self.definition = definition
        self.table = table
        self.handler = handler
    }

    /// True when objects go out exactly as stored (no Table, no version rewrite), so stored bytes can be sent.
    var sendsStoredObjects: Bool { table == nil && !definition.isCustom && definition.storedAs == nil }

    /// Appends `{"type":…,"object":…}` and a newline, with the object already encoded.
    static func writeLine(type: String, encodedObject: Data, into buffer: inout ByteBuffer) {
        buffer.writeString("{\"type\":\"")
        buffer.writeString(type)
        buffer.writeString("\",\"object\":")
        buffer.writeBytes(encodedObject)
        buffer.writeString("}\n")
    }

    mutating func event(_ type: String, _ object: JSONValue) -> ByteBuffer {
        var payload = handler.present(object, definition)
        if let table {
            payload = TableRenderer.table(
                for: [payload], definition: definition, request: table, now: handler.now(), includeColumns: !sentColumns,
                resourceVersion: object.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "")
            sentColumns = true
        }
        return line(["type": .string(type), "object": payload])
    }

    /// A BOOKMARK at `revision`; the one closing a streaming list's initial events carries the
    /// annotation `k8s.io/initial-events-end: "true"`.
    func bookmark(revision: Int64, initialEventsEnd: Bool = false) -> ByteBuffer {
        var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return line([
            "type": "BOOKMARK",
            "object": ["kind": .string(definition.kind), "apiVersion": .string(definition.apiVersion), "metadata": metadata],
        ])
    }

    func error(_ error: APIError) -> ByteBuffer {
        line(["type": "ERROR", "object": StatusBody.json(error.status)])
    }

    private func line(_ value: JSONValue) -> ByteBuffer {
        var data = CompactJSON.encode(value)
        data.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: data)
    }
}
