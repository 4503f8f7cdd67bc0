/// Tells the workload of a kill-and-restart test whether the server is up, and which incarnation
/// (epoch) it is. The test marks the server down before it sends `SIGKILL` and up again once the
/// restarted server answers, so a client whose request failed can tell a failure the kill explains
/// from an unexpected one.
actor ServerGate {
    private var epoch = 0
    private var up = true
    private var closed = false
    private var waiters: [CheckedContinuation<Int?, Never>] = []

    /// The current epoch once the server is up (waiting while it is down); nil once the run is over.
    func waitUntilUp() async -> Int? {
        if closed { return nil }
        if up { return epoch }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The server is about to be killed.
    func markDown() { up = false }

    /// A new incarnation of the server answers.
    func markUp() {
        epoch += 1
        up = true
        resumeWaiters(with: epoch)
    }

    /// Ends the run: every waiter (and every later caller) gets nil.
    func close() {
        closed = true
        resumeWaiters(with: nil)
    }

    /// True when a request that started in `epoch` may have failed because of a kill.
    func killExplainsFailure(startedIn epoch: Int) -> Bool { !up || self.epoch != epoch }

    private func resumeWaiters(with value: Int?) {
        let pending = waiters
        waiters = []
        for waiter in pending { waiter.resume(returning: value) }
    }
}
