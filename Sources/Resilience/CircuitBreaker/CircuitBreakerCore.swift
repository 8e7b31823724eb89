import Synchronization

/// The non-generic heart of ``CircuitBreaker``: the state machine behind its lock.
final class CircuitBreakerCore: Sendable {
    let machine: Mutex<CircuitBreakerStateMachine>
    let now: @Sendable () -> CircuitBreakerStateMachine.Instant

    init(machine: CircuitBreakerStateMachine, now: @escaping @Sendable () -> CircuitBreakerStateMachine.Instant) {
        self.machine = Mutex(machine)
        self.now = now
    }

    func acquire() -> (
        decision: CircuitBreakerStateMachine.Decision, transition: CircuitBreakerStateMachine.Transition?
    ) {
        machine.withLock { $0.acquire(at: now()) }
    }

    func onSuccess(_ permit: CircuitBreakerPermit, duration: Duration) -> CircuitBreakerStateMachine.Transition? {
        machine.withLock { $0.onSuccess(permit, duration: duration, at: now()) }
    }
}
