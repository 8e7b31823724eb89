import Canary
import Testing

@testable import Resilience

/// The code of the error `body` threw, `nil` if it did not throw.
func rejection(_ body: () throws(ResilienceError) -> CircuitBreakerPermit) -> ResilienceError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

@Suite(.timeLimit(.minutes(1)))
struct CircuitBreakerTests {
    let clock = ManualClock()

    @Test func observerReceivesEachTransitionOnceInOrder() throws {
        let transitions = Log<CircuitBreakerTransition<ManualClock.Instant>>()
        let config = CircuitBreakerConfiguration(
            consecutiveFailureThreshold: 2, halfOpenTrialCalls: 1, openDuration: .constant(.seconds(10)))
        let breaker = try CircuitBreaker(name: "openai/gpt-4.1", configuration: config, clock: clock) {
            transitions.append($0)
        }
        for _ in 0..<2 { breaker.onFailure(try breaker.acquire(), .serverError, duration: .seconds(1)) }
        for _ in 0..<5 { #expect(throws: ResilienceError.self) { try breaker.acquire() } }
        clock.advance(by: .seconds(10))
        breaker.onSuccess(try breaker.acquire(), duration: .seconds(1))
        #expect(transitions.all.map(\.to) == [.open, .halfOpen, .closed])
        #expect(transitions.all.map(\.sequence) == [1, 2, 3])
        #expect(transitions.all.map(\.at) == [.at(.zero), .at(.seconds(10)), .at(.seconds(10))])
        #expect(breaker.metrics.counters.notPermitted == 5)
    }

    @Test func rejectionErrorCarriesRemainingOpenTime() throws {
        let config = CircuitBreakerConfiguration(consecutiveFailureThreshold: 1, openDuration: .constant(.seconds(30)))
        let breaker = try CircuitBreaker(configuration: config, clock: clock)
        breaker.onFailure(try breaker.acquire(), .timeout, duration: .zero)
        clock.advance(by: .seconds(12))
        let code = rejection { () throws(ResilienceError) in try breaker.acquire() }
        #expect(code == .circuitOpen(retryAfter: .seconds(18)))
    }

    @Test func executeRecordsOutcomesAndIgnoresClientErrors() async throws {
        let config = CircuitBreakerConfiguration(consecutiveFailureThreshold: 2)
        let breaker = try CircuitBreaker(configuration: config, clock: clock)
        for _ in 0..<5 {
            _ = await thrownError { try await breaker.execute { throw UpstreamFailure(.clientError) } }
        }
        #expect(breaker.state == .closed, "client errors are the caller's fault")
        #expect(breaker.metrics.counters.ignored == 5)
        for _ in 0..<2 {
            _ = await thrownError { try await breaker.execute { throw UpstreamFailure(.connection) } }
        }
        #expect(breaker.state == .open)
        let error = await thrownError { try await breaker.execute { "never called" } }
        #expect(error is ResilienceError)
    }

    @Test func forcedOpenDisabledAndResetAreTransitionsToo() throws {
        let transitions = Log<CircuitState>()
        let breaker = try CircuitBreaker(clock: clock) { transitions.append($0.to) }
        breaker.forceOpen()
        let code = rejection { () throws(ResilienceError) in try breaker.acquire() }
        #expect(code == .circuitOpen(retryAfter: nil))
        breaker.disable()
        for _ in 0..<20 { breaker.onFailure(try breaker.acquire(), .serverError, duration: .zero) }
        breaker.reset()
        breaker.reset()
        #expect(transitions.all == [.forcedOpen, .disabled, .closed])
    }

    @Test func holdOpenForRetryAfter() throws {
        let breaker = try CircuitBreaker(clock: clock)
        breaker.holdOpen(for: .seconds(8))
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(8))
        #expect(try breaker.acquire().isTrial)
    }

    @Test func registryKeepsOneBreakerPerUpstreamAndModel() throws {
        let seen = Log<String>()
        let registry = CircuitBreakerRegistry(
            clock: clock,
            observer: { key, transition in
                seen.append("\(key) \(transition.to)")
            })
        let gpt = registry.breaker(for: CircuitBreakerKey(upstream: "openai", model: "gpt-4.1"))
        #expect(gpt === registry.breaker(for: CircuitBreakerKey(upstream: "openai", model: "gpt-4.1")))
        #expect(gpt !== registry.breaker(for: CircuitBreakerKey(upstream: "openai", model: "gpt-4.1-mini")))
        gpt.forceOpen()
        #expect(seen.all == ["openai/gpt-4.1 forced_open"])
        #expect(registry.all.count == 2)
    }
}
