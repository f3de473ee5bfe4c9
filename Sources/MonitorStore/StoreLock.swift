import Platform

/// An advisory lock on a store (`ROOT/.lock`, `flock`), held by one pipeline at
/// a time. Released when this value is deinitialised or the process ends.
public final class StoreLock: Sendable {
    private let fd: Int32

    /// Takes the lock without waiting.
    ///
    /// - Throws: ``StoreError`` `.locked` when another process holds it.
    public init(store: Store) throws(StoreError) {
        try FileSystem.makeDirectories(store.root)
        let path = store.lockPath
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError(.io, path: path, "cannot open the store's lock file") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError(
                .locked, path: store.root,
                "is in use by another pipeline; wait for it to finish or use another --store"
            )
        }
        self.fd = fd
    }

    deinit {
        close(fd)
    }
}
