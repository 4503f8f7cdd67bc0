import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// The watch stream's messages, as etcd's HTTP gateway writes them.
struct EtcdWireTests {
    static let events = #"""
        {"result":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"42","raft_term":"2"},"events":[{"kv":{"key":"L2NvbmNvcmQvY29uZmlnbWFwcy9kZWZhdWx0L2E=","create_revision":"41","mod_revision":"42","version":"2","value":"eyJraW5kIjoiQ29uZmlnTWFwIn0="},"prev_kv":{"key":"L2NvbmNvcmQvY29uZmlnbWFwcy9kZWZhdWx0L2E=","create_revision":"41","mod_revision":"41","version":"1","value":"e30="}},{"type":"DELETE","kv":{"key":"L2NvbmNvcmQvY29uZmlnbWFwcy9kZWZhdWx0L2I=","mod_revision":"43"}}]}}
        """#
    static let created = #"{"result":{"header":{"revision":"7"},"created":true}}"#
    static let compacted = #"{"result":{"header":{"revision":"90"},"canceled":true,"compact_revision":"80","cancel_reason":"mvcc: required revision has been compacted"}}"#
    static let failed = #"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable","code":14}}"#

    @Test(arguments: [events, created, compacted, failed])
    func theOwnParserReadsWhatJSONDecoderReads(_ text: String) throws {
        let fast = try EtcdWire.streamMessage(Data(text.utf8))
        let reference = try JSONDecoder().decode(EtcdWire.StreamMessage.self, from: Data(text.utf8))
        #expect(fast.result?.header?.revision == reference.result?.header?.revision)
        #expect(fast.result?.created == reference.result?.created)
        #expect(fast.result?.canceled == reference.result?.canceled)
        #expect(fast.result?.compact_revision == reference.result?.compact_revision)
        #expect(fast.result?.cancel_reason == reference.result?.cancel_reason)
        #expect(fast.error?.code == reference.error?.code)
        #expect(fast.error?.message == reference.error?.message)
        let fastEvents = fast.result?.events ?? [], referenceEvents = reference.result?.events ?? []
        #expect(fastEvents.count == referenceEvents.count)
        for (a, b) in zip(fastEvents, referenceEvents) {
            #expect(a.type == b.type)
            for (x, y) in [(a.kv, b.kv), (a.prev_kv, b.prev_kv)] {
                #expect(x?.key == y?.key && x?.value == y?.value && x?.version == y?.version)
                #expect(x?.mod_revision == y?.mod_revision && x?.create_revision == y?.create_revision)
            }
        }
    }

    @Test func anEventMessageCarriesKeysValuesAndRevisions() throws {
        let message = try EtcdWire.streamMessage(Data(Self.events.utf8))
        let events = try #require(message.result?.events)
        #expect(events.count == 2)
        #expect(String(decoding: events[0].kv?.keyBytes ?? Data(), as: UTF8.self) == "/concord/configmaps/default/a")
        #expect(String(decoding: events[0].kv?.valueBytes ?? Data(), as: UTF8.self) == #"{"kind":"ConfigMap"}"#)
        #expect(events[0].kv?.modRevision == 42 && events[0].kv?.createRevision == 41 && events[0].prev_kv?.modRevision == 41)
        #expect(events[1].type == "DELETE" && events[1].kv?.modRevision == 43)
        #expect(message.result?.header?.revisionValue == 42)
    }

    @Test func aMessageThatIsNotJSONIsAStorageError() {
        #expect(throws: StorageError.self) { try EtcdWire.streamMessage(Data("{\"result\":".utf8)) }
        #expect(throws: StorageError.self) { try EtcdWire.streamMessage(Data("[1]".utf8)) }
    }
}

/// The watch feed reads messages however the stream's chunks cut them.
struct EtcdWatchFeedChunkTests {
    /// A transport whose reads answer at revision 1 and whose one watch delivers `chunks`.
    struct ChunkedTransport: EtcdTransport {
        let chunks: [Data]
        func call(_ method: String, _ request: JSONValue) async throws -> Data { Data(#"{"header":{"revision":"1"},"count":"0"}"#.utf8) }
        func watch(_ request: JSONValue) async throws -> any AsyncSequence<Data, any Error> & Sendable {
            let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
            for chunk in chunks { continuation.yield(chunk) }
            return stream
        }
        func shutdown() async throws {}
    }

    static func message(revision: Int, name: String) -> String {
        let key = Data("/concord/configmaps/default/\(name)".utf8).base64EncodedString()
        let value = Data(#"{"kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"pad":"\#(String(repeating: "x", count: 300))"}}"#.utf8).base64EncodedString()
        return #"{"result":{"header":{"revision":"\#(revision)"},"events":[{"kv":{"key":"\#(key)","create_revision":"\#(revision)","mod_revision":"\#(revision)","version":"1","value":"\#(value)"}}]}}"#
    }

    @Test(arguments: [1, 7, 64, 333, 100_000])
    func everyEventArrivesOnceWhateverTheChunkSize(_ size: Int) async throws {
        let text = #"{"result":{"header":{"revision":"1"},"created":true}}"# + "\n"
            + (2...40).map { Self.message(revision: $0, name: "cm\($0)") + "\n" }.joined()
        let bytes = Data(text.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
        let store = try await EtcdObjectStore(transport: ChunkedTransport(chunks: chunks), configuration: EtcdStorageConfiguration(endpoints: [URL(string: "http://127.0.0.1:1")!], compactionInterval: .zero))
        let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 1)
        var seen: [String] = []
        for try await batch in watch.batches {
            for event in batch {
                #expect(event.type == .added && event.object.value(at: ["metadata", "resourceVersion"])?.stringValue == String(event.revision))
                seen.append(event.key.name)
            }
            if seen.count == 39 { break }
        }
        #expect(seen == (2...40).map { "cm\($0)" })
    }
}
