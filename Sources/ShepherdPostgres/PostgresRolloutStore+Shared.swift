public import Canary
import Foundation
import PostgresNIO
public import Shepherd
import Synchronization

extension PostgresRolloutStore {
    // MARK: SharedRolloutStore

    public func databaseNow() async throws -> WallClock.Instant {
        try await bounded("read the database's clock") {
            for try await seconds in try await self.client.query(
                "SELECT extract(epoch from now())::float8", logger: self.logger
            ).decode(Double.self) {
                return WallClock.Instant(unixSeconds: seconds)
            }
            throw RolloutStoreError(operation: "read the database's clock", reason: "no row")
        }
    }

    public func acquireLease(rolloutID: String, holder: String, epoch: Int64?, ttl: Duration) async throws -> LeaseState
    {
        let ttlSeconds = inSeconds(ttl)
        return try await bounded("acquire the lease") {
            try await self.client.withTransaction(logger: self.logger) { connection -> LeaseState in
                var inserted = false
                for try await _ in try await connection.query(
                    """
                    INSERT INTO shepherd_lease (rollout_id, holder, epoch, expires_at)
                    VALUES (\(rolloutID), \(holder), 1, extract(epoch from now())::float8 + \(ttlSeconds))
                    ON CONFLICT DO NOTHING RETURNING epoch
                    """, logger: self.logger
                ).decode(Int64.self) {
                    inserted = true
                }
                var row: (String, Int64, Double, Double?, Double)?
                for try await values in try await connection.query(
                    """
                    SELECT holder, epoch, expires_at, last_evaluation_at, extract(epoch from now())::float8
                    FROM shepherd_lease WHERE rollout_id = \(rolloutID) FOR UPDATE
                    """, logger: self.logger
                ).decode((String, Int64, Double, Double?, Double).self) {
                    row = values
                }
                guard let (stored, storedEpoch, storedExpiry, lastEvaluation, now) = row else {
                    throw RolloutStoreError(operation: "acquire the lease", reason: "the lease row vanished")
                }
                var (current, currentEpoch, expires) = (stored, storedEpoch, storedExpiry)
                if inserted {
                    // The first lease of this rollout: granted, epoch 1.
                } else if current == holder, let epoch, epoch == currentEpoch {
                    expires = now + ttlSeconds  // renewal: same epoch
                } else if expires <= now {
                    current = holder  // lapsed: taken over, fenced by a new epoch
                    currentEpoch += 1
                    expires = now + ttlSeconds
                } else {
                    return Self.lease(current, currentEpoch, expires, lastEvaluation, now)
                }
                try await connection.query(
                    """
                    UPDATE shepherd_lease SET holder = \(current), epoch = \(currentEpoch), expires_at = \(expires)
                    WHERE rollout_id = \(rolloutID)
                    """, logger: self.logger)
                return Self.lease(current, currentEpoch, expires, lastEvaluation, now)
            }
        }
    }

    public func lease(of rolloutID: String) async throws -> LeaseState? {
        try await bounded("read the lease") {
            for try await (holder, epoch, expires, last, now) in try await self.client.query(
                """
                SELECT holder, epoch, expires_at, last_evaluation_at, extract(epoch from now())::float8
                FROM shepherd_lease WHERE rollout_id = \(rolloutID)
                """, logger: self.logger
            ).decode((String, Int64, Double, Double?, Double).self) {
                return Self.lease(holder, epoch, expires, last, now)
            }
            return nil
        }
    }

    public func publishHealth(rolloutID: String, replica: String, buckets: [HealthBucket]) async throws {
        guard !buckets.isEmpty else { return }
        let rows = try buckets.map { ($0.path.rawValue, $0.number, $0.startSeconds, try Self.encode($0)) }
        try await bounded("publish health") {
            try await self.client.withTransaction(logger: self.logger) { connection in
                for (path, number, start, json) in rows {
                    try await connection.query(
                        """
                        INSERT INTO shepherd_health (rollout_id, replica, path, bucket_number, bucket_start, json)
                        VALUES (\(rolloutID), \(replica), \(path), \(number), \(start), \(json))
                        ON CONFLICT (rollout_id, replica, path, bucket_number) DO UPDATE SET json = excluded.json
                        """, logger: self.logger)
                }
            }
        }
    }

    public func health(rolloutID: String, since: WallClock.Instant) async throws -> [HealthBucket] {
        try await bounded("read health") {
            var buckets: [HealthBucket] = []
            for try await json in try await self.client.query(
                "SELECT json FROM shepherd_health WHERE rollout_id = \(rolloutID) AND bucket_start >= \(since.unixSeconds)",
                logger: self.logger
            ).decode(String.self) {
                buckets.append(try Self.decode(HealthBucket.self, json, "read health"))
            }
            return buckets
        }
    }

    public func pruneHealth(rolloutID: String, before: WallClock.Instant) async throws {
        try await bounded("prune health") {
            try await self.client.query(
                "DELETE FROM shepherd_health WHERE rollout_id = \(rolloutID) AND bucket_start < \(before.unixSeconds)",
                logger: self.logger)
        }
    }

    public func heartbeat(_ replica: ReplicaReport) async throws {
        let json = try Self.encode(replica)
        try await bounded("heartbeat") {
            try await self.client.query(
                """
                INSERT INTO shepherd_replicas (rollout_id, replica, report, last_heartbeat)
                VALUES (\(replica.rolloutID), \(replica.replica), \(json), extract(epoch from now())::float8)
                ON CONFLICT (rollout_id, replica) DO UPDATE SET report = excluded.report, last_heartbeat = excluded.last_heartbeat
                """, logger: self.logger)
        }
    }

    public func replicas(rolloutID: String, since: WallClock.Instant) async throws -> [ReplicaRecord] {
        try await bounded("read replicas") {
            var records: [ReplicaRecord] = []
            for try await (json, heartbeat) in try await self.client.query(
                """
                SELECT report, last_heartbeat FROM shepherd_replicas
                WHERE rollout_id = \(rolloutID) AND last_heartbeat >= \(since.unixSeconds) ORDER BY replica
                """, logger: self.logger
            ).decode((String, Double).self) {
                records.append(
                    ReplicaRecord(
                        report: try Self.decode(ReplicaReport.self, json, "read replicas"),
                        lastHeartbeat: WallClock.Instant(unixSeconds: heartbeat)))
            }
            return records
        }
    }

    public func version(of rolloutID: String) async throws -> Int64? {
        try await bounded("read the version") {
            for try await version in try await self.client.query(
                "SELECT version FROM shepherd_rollout_state WHERE rollout_id = \(rolloutID) AND version > 0",
                logger: self.logger
            ).decode(Int64.self) {
                return version
            }
            return nil
        }
    }

    public func followVersions(rolloutID: String, _ onVersion: @escaping @Sendable (Int64) async -> Void) async {
        let prefix = "\(rolloutID):"
        while !Task.isCancelled, !state.withLock({ $0.closed }) {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            guard notification.payload.hasPrefix(prefix),
                                let version = Int64(notification.payload.dropFirst(prefix.count))
                            else { continue }
                            await onVersion(version)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("shared store: LISTEN connection lost, reconnecting: \(Self.reason(error))")
            }
            // Back off before listening again; the version poll covers the gap.
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
        }
    }
}
