import Canary
import Hummingbird
import HummingbirdTesting
import Shepherd
import ShepherdServer
import Testing
import Upstream

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct AdminAPITests {
    @Test func adminApiWithoutTokenIsNotFound() async throws {
        try await ServerHarness.with(server: ServerConfiguration(port: 0)) { h in
            for (method, path) in [
                (HTTPRequest.Method.get, "/admin/status"), (.post, "/admin/promote"), (.get, "/admin/events"),
            ] {
                let response = try await h.send(method, path, headers: ServerHarness.admin)
                #expect(response.status == .notFound, "\(path)")
            }
        }
    }

    @Test func adminApiRefusesAMissingOrWrongTokenAlike() async throws {
        try await ServerHarness.with { h in
            let missing = try await h.send(.get, "/admin/status")
            let wrong = try await h.send(.get, "/admin/status", headers: [.authorization: "Bearer not-the-token"])
            let otherScheme = try await h.send(.get, "/admin/status", headers: [.authorization: "Basic \(adminToken)"])
            for response in [missing, wrong, otherScheme] {
                #expect(response.status == .unauthorized)
                #expect(response.openAIError?.code == "invalid_api_key")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            #expect(missing.text == wrong.text && wrong.text == otherScheme.text)
            // A refused command changes nothing.
            #expect(try await h.send(.post, "/admin/rollback").status == .unauthorized)
            #expect(h.router.controller.state.phase == .ramping)
        }
    }

    @Test func adminStatusReportsTheRollout() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.get, "/admin/status", headers: ServerHarness.admin)
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["rolloutID"] == .string("server-test"))
            #expect(json["state"]?["phase"] == .string("ramping"))
            #expect(json["effectivePercent"]?.doubleValue == 5)
            let status = try JSONDecoder().decode(RolloutStatus.self, from: Data(response.text.utf8))
            #expect(status.state.percent == 5)
        }
    }

    @Test func adminStatusSaysWhatTheNextStepNeedsAndHistoryListsEvaluations() async throws {
        try await ServerHarness.with(percent: 100) { h in
            for i in 0..<5 { _ = try await h.chat(user: "u\(i)") }
            h.clock.advance(by: .seconds(10))  // a bucket later: the window counts a step's samples by bucket
            try await h.router.controller.apply(.setPercent(5), reason: "back to the first step")
            h.clock.advance(by: .seconds(20))
            try await h.router.controller.evaluate()
            let status = try JSONDecoder().decode(
                RolloutStatus.self,
                from: Data(try await h.send(.get, "/admin/status", headers: ServerHarness.admin).text.utf8))
            let next = try #require(status.nextStep)
            #expect(next.nextPercent == 7.5)
            #expect(next.samplesNeeded == 100)
            #expect(next.relaySamplesInStep == 0, "the calls before the step began do not count toward it")
            #expect(next.heldSeconds == 20)
            #expect(next.minHoldSeconds == 60)
            #expect(status.policy.minSamples == 100)
            #expect(status.breakers["relay/*"] == "closed" && status.breakers["legacy/*"] == "closed")

            let history = try await h.send(.get, "/admin/history?limit=5", headers: ServerHarness.admin)
            #expect(history.status == .ok)
            let records = try #require(try history.json()["evaluations"]?.arrayValue)
            #expect(records.count == 1)
            #expect(records.first?["relay"]?["requests"]?.doubleValue == 5)
            #expect(records.first?["time"]?.stringValue?.hasSuffix("Z") == true, "times are ISO 8601")
            let bad = try await h.send(.get, "/admin/history?limit=0", headers: ServerHarness.admin)
            #expect(bad.status == .badRequest && bad.openAIError?.param == "limit")
        }
    }

    @Test func adminCommandsMoveTheRampAndAreAudited() async throws {
        try await ServerHarness.with { h in
            func command(_ path: String, _ body: String? = nil) async throws -> JSONValue {
                let response = try await h.send(.post, "/admin/\(path)", body: body, headers: ServerHarness.admin)
                #expect(response.status == .ok, "\(path): \(response.text)")
                return try response.json()
            }
            var answer = try await command("pause", #"{"reason":"looking at dashboards"}"#)
            #expect(answer["state"]?["phase"] == .string("paused"))
            #expect(h.router.controller.state.phase == .paused)
            answer = try await command("resume")
            #expect(answer["state"]?["phase"] == .string("ramping"))
            answer = try await command("promote")
            #expect(answer["state"]?["percent"]?.doubleValue == 7.5)
            answer = try await command("percent", #"{"percent":25,"reason":"bigger step"}"#)
            #expect(answer["state"]?["percent"]?.doubleValue == 25)
            #expect(answer["effectivePercent"]?.doubleValue == 25)
            answer = try await command("set-percent", #"{"percent":30}"#)
            #expect(h.router.controller.state.percent == 30)
            answer = try await command("rollback", #"{"reason":"relay latency"}"#)
            #expect(answer["state"]?["phase"] == .string("rolledBack"))
            #expect(h.router.effectivePercent == 0)

            let events = try await h.send(.get, "/admin/events?since=0&limit=50", headers: ServerHarness.admin)
            #expect(events.status == .ok)
            let list =
                try JSONDecoder().decode([String: [StoredEvent]].self, from: Data(events.text.utf8))["events"] ?? []
            #expect(list.map(\.event.to) == [.ramping, .paused, .ramping, .ramping, .ramping, .ramping, .rolledBack])
            #expect(list.contains { $0.event.reason.message.contains("looking at dashboards") })
            let limited = try await h.send(.get, "/admin/events?limit=2", headers: ServerHarness.admin)
            #expect(try limited.json()["events"].map { if case .array(let a) = $0 { a.count } else { -1 } } == 2)
            let later = try await h.send(.get, "/admin/events?since=4000000000", headers: ServerHarness.admin)
            #expect(try later.json()["events"] == .array([]))
        }
    }

    @Test func commandThePhaseDoesNotAllowGets409() async throws {
        try await ServerHarness.with { h in
            let response = try await h.send(.post, "/admin/resume", headers: ServerHarness.admin)
            #expect(response.status == .conflict)
            #expect(response.openAIError?.code == "command_not_allowed")
            #expect(
                response.openAIError?.message.contains("only a paused or rolled-back rollout can be resumed") == true)
        }
    }

    @Test func badAdminBodiesGet400() async throws {
        try await ServerHarness.with { h in
            let outOfRange = try await h.send(
                .post, "/admin/percent", body: #"{"percent":140}"#, headers: ServerHarness.admin)
            #expect(outOfRange.status == .badRequest)
            #expect(outOfRange.openAIError?.param == "percent")
            let missing = try await h.send(
                .post, "/admin/percent", body: #"{"reason":"no number"}"#, headers: ServerHarness.admin)
            #expect(missing.status == .badRequest)
            let malformed = try await h.send(.post, "/admin/pause", body: "{reason", headers: ServerHarness.admin)
            #expect(malformed.status == .badRequest)
            let badQuery = try await h.send(.get, "/admin/events?limit=lots", headers: ServerHarness.admin)
            #expect(badQuery.status == .badRequest)
            #expect(badQuery.openAIError?.param == "limit")
            #expect(h.router.controller.state.phase == .ramping)
        }
    }

    @Test func rollbackSwitchOverrideSendsEverythingToLegacyAndBack() async throws {
        try await ServerHarness.with(percent: 100) { h in
            #expect(try await h.chat().headers[.shepherdPath] == "relay")
            let engage = try await h.send(
                .post, "/admin/rollback-switch", body: #"{"engaged":true,"reason":"incident 42"}"#,
                headers: ServerHarness.admin)
            #expect(engage.status == .ok)
            #expect(try engage.json()["engaged"] == .bool(true))
            #expect(try engage.json()["sources"]?["override"] == .string("incident 42"))
            #expect(try await h.chat().headers[.shepherdPath] == "legacy")
            #expect(h.router.controller.state.percent == 100, "the stored state is kept")
            let release = try await h.send(
                .post, "/admin/rollback-switch", body: #"{"engaged":false}"#, headers: ServerHarness.admin)
            #expect(try release.json()["engaged"] == .bool(false))
            #expect(try await h.chat().headers[.shepherdPath] == "relay")
        }
    }

    @Test func storeFailureGets503AndChangesNothing() async throws {
        try await ServerHarness.with { h in
            try await h.store.close()
            let response = try await h.send(.post, "/admin/pause", headers: ServerHarness.admin)
            #expect(response.status == .serviceUnavailable)
            #expect(response.openAIError?.code == "store_unavailable")
            #expect(h.router.controller.state.phase == .ramping)
            let events = try await h.send(.get, "/admin/events", headers: ServerHarness.admin)
            #expect(events.status == .serviceUnavailable)
        }
    }
}
