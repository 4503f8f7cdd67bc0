import FederationAPI
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves `?watch=true`: a chunked stream of newline-delimited JSON events.
///
/// Starting at `resourceVersion` "" / "0" / absent sends a synthetic ADDED for every current match first.
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

    /// The response: 200, `application/json`, chunked.
    func response(for request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache, private"
        let body = ResponseBody { writer in
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await self.run(&writer)
                }
            } catch is CancellationError {
                // The client went away or the server is shutting down.
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    private func run(_ writer: inout any ResponseBodyWriter) async throws {
        var encoder = EventEncoder(definition: definition, table: table, handler: handler)
        let resource = definition.storageResource
        let ns = definition.namespaced ? namespace : nil
        var startRevision: Int64
        var initial: [JSONValue] = []
        if let rv = options.resourceVersion, !rv.isEmpty, rv != "0" {
            startRevision = Int64(rv) ?? 0
        } else {
            let (objects, revision) = try await handler.store.list(resource: resource, namespace: ns)
            initial = objects.map(\.object).filter { options.filter.matches($0) }
            startRevision = revision
        }
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
        for object in initial { try await writer.write(encoder.event("ADDED", object)) }
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
                        for event in events {
                            lastRevision = event.revision
                            guard let (type, object) = WatchFilter.translate(event, filter: options.filter) else { continue }
                            if let stored = event.encodedObject, encoder.sendsStoredObjects {
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
                    try await writer.write(encoder.error(APIError.internalError(e.message)))
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
    var sendsStoredObjects: Bool { table == nil && !definition.isCustom }

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

    func bookmark(revision: Int64) -> ByteBuffer {
        line([
            "type": "BOOKMARK",
            "object": [
                "kind": .string(definition.kind), "apiVersion": .string(definition.apiVersion),
                "metadata": ["resourceVersion": .string(String(revision))],
            ],
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
