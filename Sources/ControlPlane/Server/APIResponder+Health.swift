import Hummingbird
import HTTPTypes
import Logging

extension APIResponder {
    /// `/healthz` and `/livez` answer ok while the process serves; `/readyz` also needs the store to answer
    /// (an etcd cut off from this server makes it not ready, with kube-apiserver's 500 and check list).
    func health(readiness: Bool) async -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        if readiness {
            do {
                try await handler.store.checkReadiness()
            } catch {
                logger.warning("Not ready: the storage does not answer", metadata: ["error": "\(error)"])
                let body = "[+]ping ok\n[-]storage failed: reason withheld\nreadyz check failed\n"
                return Response(status: .internalServerError, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
    }
}
