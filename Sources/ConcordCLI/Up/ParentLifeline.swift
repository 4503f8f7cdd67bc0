import Foundation
import KubeClient
#if canImport(Glibc)
import Glibc
#endif

extension ConcordCommand {
    /// Runs the command line. A process that `concord up` started with a ``Lifeline`` exits as soon as
    /// `concord up` is gone, even after `kill -9`. It exits at once rather than shutting down
    /// gracefully: nobody is left to wait for it, and what a control plane acknowledged is already on
    /// disk (its store survives a `kill -9` by design), as is what the controller wrote to the hub.
    public static func mainFollowingParent() async {
        Lifeline.followInherited {
            FileHandle.standardError.write(Data("concord: the parent process (concord up) is gone; exiting\n".utf8))
            _exit(1)
        }
        await main()
    }
}
