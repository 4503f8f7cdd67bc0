import FederationAPI
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

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
        case event(StorageEvent)
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
        let (items, continuation) = AsyncThrowingStream<Item, any Error>.makeStream(bufferingPolicy: .bufferingOldest(4096))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in watch {
                        if case .dropped = continuation.yield(.event(event)) {
                            continuation.finish(throwing: StorageError(.expired(oldest: event.revision)))
                            return
                        }
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
                    case .event(let event):
                        lastRevision = event.revision
                        if let (type, object) = WatchFilter.translate(event, filter: options.filter) {
                            try await writer.write(encoder.event(type, object))
                        }
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
