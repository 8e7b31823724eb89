import ServiceLifecycle

extension RolloutController: Service {
    /// Evaluates on the policy's interval until cancelled or told to shut down gracefully.
    ///
    /// A failed evaluation (the store unwritable) is logged and retried at the next interval;
    /// the ramp does not move while decisions cannot be stored.
    public func run() async throws {
        // The shadow phase's relay calls run beside the evaluations and stop with them: a shutdown
        // cancels the ones in flight (nothing waits on their answers) instead of waiting for them.
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.shadowRunner.run() }
            try await runEvaluations()
            shadowRunner.finish()
            group.cancelAll()
        }
    }

    private func runEvaluations() async throws {
        let interval = configuration.policy.ramp.evaluationInterval
        if let shared = store as? any SharedRolloutStore {
            await cancelWhenGracefulShutdown { await self.runFleet(on: shared) }
            return
        }
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Shutdown cancels the sleep: that is the normal way out, not a failure.
                guard (try? await self.clock.sleep(for: interval)) != nil else { return }
                do {
                    try await self.evaluate()
                } catch let error as RolloutStoreError {
                    self.logger.error("evaluation not stored, ramp held: \(error)")
                }
            }
        }
    }
}
