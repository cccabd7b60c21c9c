import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// Contemplating mode on the CNTK fridge photo (labelled boxes as detections): the standard
/// specialists, some of them slowed down, failing or timing out around the real ones.
@Suite struct ContemplationTests {
    /// A real specialist answering after a delay (or failing, or never answering in time).
    struct Perturbed: Specialist {
        enum How: Sendable { case delay(Double), fail, hang }
        let base: any Specialist
        let how: How
        var id: String { base.id }
        var confidenceIfMissing: Double { base.confidenceIfMissing }

        struct Broken: Error, CustomStringConvertible { var description: String { "the store is locked" } }

        func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion {
            switch how {
            case .delay(let s): try await Task.sleep(nanoseconds: UInt64(s * 1e9))
            case .fail: throw Broken()
            case .hang: try await Task.sleep(nanoseconds: 30_000_000_000)
            }
            return try await base.deliberate(d)
        }
    }

    /// A grocery list held as values (the GRDB store is exercised end to end in SceneCLITests).
    struct Listed: GroceryListReading {
        var items: [ListedGroceryItem]
        func listedItems() async throws -> [ListedGroceryItem] { items }
    }

    static func yogurt(_ n: Double) -> ListedGroceryItem {
        ListedGroceryItem(
            name: "Greek yogurt, plain, nonfat", quantity: n, unit: "container (156 g)", needKeys: ["greek_yogurt/2026-11-21"])
    }

    static func panel(_ list: [ListedGroceryItem] = [], _ changes: [String: Perturbed.How] = [:]) -> SpecialistPanel {
        var p = SpecialistPanel.standard(groceryList: Listed(items: list))
        for (id, how) in changes.sorted(by: { $0.key < $1.key }) { p.replace(Perturbed(base: p.specialists[id]!, how: how)) }
        return p
    }

    /// The fridge chain with a shorter time budget for the specialists (tests wait less).
    static func reasoner(timeout: Double = 2) throws -> Reasoner {
        var chain = try Fixture.chain()
        let k = chain.steps.firstIndex { $0.id == "action" }!
        guard case .object(var params) = chain.steps[k].parameters, case .object(var c)? = params["contemplate"] else {
            throw ReasoningError(.chain, file: "", message: "the fridge chain's action step has no contemplate block")
        }
        c["timeoutSeconds"] = .number(timeout)
        params["contemplate"] = .object(c)
        chain.steps[k].parameters = .object(params)
        return try Reasoner(chain: chain, knowledge: Fixture.knowledge())
    }

    static func contemplate(
        _ panel: SpecialistPanel, profile: String = "deficit", timeout: Double = 2, scene: String = "cntk-fridge"
    ) async throws -> ReasoningRun {
        try await reasoner(timeout: timeout).run(
            observations: Fixture.scene(scene), profile: Fixture.profile(profile), today: Fixture.today, mode: .contemplating, panel: panel)
    }

    @Test(.needsFridgeData) func quickAndContemplatingAgreeOnThisSceneAndOnlyContemplatingDebates() async throws {
        let quick = try Fixture.reasoner().run(
            observations: Fixture.scene("cntk-fridge"), profile: Fixture.profile("deficit"), today: Fixture.today)
        let deep = try await Self.contemplate(Self.panel())
        #expect(quick.trace.contemplation == nil)
        #expect(!quick.trace.jsonText.contains("contemplation"))
        #expect(quick.proposal?.foodID == "greek_yogurt" && quick.proposal?.quantity == 2)
        #expect(deep.proposal?.foodID == "greek_yogurt" && deep.proposal?.quantity == 2)
        let c = try #require(deep.trace.contemplation)
        #expect(c.specialists.map(\.specialist) == ["nutrition", "pantry", "portion", "preferences"])
        #expect(c.specialists.allSatisfy { $0.status == .answered })
        #expect(c.winner == "greek_yogurt" && c.confidence == 1)
        // The steps before the decision are the quick chain's, fact for fact.
        #expect(Array(deep.trace.steps.dropLast()) == Array(quick.trace.steps.dropLast()))
        if let p = Fixture.golden(deep.trace.text, "Samples/golden/contemplating/cntk-fridge.deficit.txt") {
            Issue.record(Comment(rawValue: p))
        }
        if let p = Fixture.golden(deep.trace.jsonText, "Samples/golden/contemplating/cntk-fridge.deficit.json") {
            Issue.record(Comment(rawValue: p))
        }
    }

    /// Whichever specialist finishes first, the decision and the whole trace are the same.
    @Test func completionOrderChangesNothing() async throws {
        let reference = try await Self.contemplate(Self.panel([Self.yogurt(1)])).trace.jsonText
        let orders: [[String: Perturbed.How]] = [
            ["nutrition": .delay(0.15), "pantry": .delay(0.1), "portion": .delay(0.05)],
            ["preferences": .delay(0.15), "portion": .delay(0.1), "pantry": .delay(0.05)],
            ["pantry": .delay(0.15), "nutrition": .delay(0.02), "preferences": .delay(0.08)],
        ]
        for order in orders {
            let run = try await Self.contemplate(Self.panel([Self.yogurt(1)], order))
            #expect(run.trace.jsonText == reference, "\(order)")
        }
    }

    @Test func aFailingAndATimingOutSpecialistAreReportedAndTheDecisionDegrades() async throws {
        let run = try await Self.contemplate(Self.panel([], ["pantry": .fail, "portion": .hang]), timeout: 0.2)
        let c = try #require(run.trace.contemplation)
        let byID = Dictionary(uniqueKeysWithValues: c.specialists.map { ($0.specialist, $0) })
        #expect(byID["pantry"]?.status == .failed && byID["pantry"]?.detail == "the store is locked")
        #expect(byID["portion"]?.status == .timedOut && byID["portion"]?.detail == "no answer within 0.2 s")
        #expect(byID["nutrition"]?.status == .answered && byID["preferences"]?.status == .answered)
        // Still a decision, with lower confidence: × 0.7 without the pantry, × 0.8 without the portion check.
        #expect(run.proposal?.foodID == "greek_yogurt")
        #expect(c.confidence == 0.56)
        #expect(run.trace.fact("action.proposal")?.confidence == 0.56)
        #expect(c.why.contains("not heard: pantry failed (× 0.7), portion timed out (× 0.8)"))
        #expect(run.trace.text.contains("  - pantry: FAILED: the store is locked"))
        #expect(run.trace.text.contains("  - portion: TIMED OUT: no answer within 0.2 s"))
        if let p = Fixture.golden(run.trace.text, "Samples/golden/contemplating/cntk-fridge.deficit.degraded.txt") {
            Issue.record(Comment(rawValue: p))
        }
    }

    @Test func withoutTheNutritionSpecialistTheQuickDecisionStands() async throws {
        let run = try await Self.contemplate(Self.panel([], ["nutrition": .fail]))
        #expect(run.proposal?.foodID == "greek_yogurt" && run.proposal?.quantity == 2)
        #expect(run.trace.contemplation?.why.hasPrefix("the nutrition specialist was not heard: the quick chain's decision stands") == true)
        #expect(run.trace.contemplation?.confidence == 0.5)
    }

    @Test func thePantryPreventsBuyingYogurtAlreadyOnTheList() async throws {
        // Two containers on the list bring 32.14 g: the 19.69 g deficit is covered, nothing is bought.
        let covered = try await Self.contemplate(Self.panel([Self.yogurt(2)]))
        #expect(covered.proposal == nil)
        #expect(covered.trace.fact("action.none")?.summary == "Nothing to add to the grocery list: what is on it covers the deficit.")
        #expect(
            covered.trace.contemplation?.candidates.first { $0.foodID == "greek_yogurt" }?.vetoes.first?.hasPrefix(
                "pantry: already on the grocery list") == true)
        // One container brings 16.07 g: the rest (3.62 g) is bought as something else, never more yogurt.
        let partly = try await Self.contemplate(Self.panel([Self.yogurt(1)]))
        let p = try #require(partly.proposal)
        #expect(p.foodID != "greek_yogurt")
        #expect(p.deficitGrams == 3.62 && p.quantity == 1)
        #expect(partly.trace.contemplation?.remainingDeficit == 3.62)
    }

    @Test func preferencesVetoWhatTheWearerDoesNotEat() async throws {
        let run = try await Self.contemplate(Self.panel(), profile: "vegan")
        #expect(run.proposal?.foodID == "tofu_firm")
        let vetoed = run.trace.contemplation?.candidates.filter { !$0.vetoes.isEmpty }.map(\.foodID)
        #expect(vetoed == ["greek_yogurt", "lactose_free_milk"])
    }

    /// An allergy is a restriction like the others: the quick chain and the preferences
    /// specialist both keep dairy (yogurt, lactose-free milk) off the list.
    @Test(.needsFridgeData) func aDairyAllergyRulesOutYogurtAndMilk() async throws {
        let path = try Fixture.temp(
            "allergy.json",
            """
            {"format": "sightline-profile/1", "name": "Sam (dairy allergy)", "proteinGramsPerKg": 1.2, "bodyMassKg": 70,
             "proteinEatenTodayGrams": 40, "restrictions": ["dairy-allergy"]}
            """)
        let profile = try Profile.load(path: path, name: "allergy.json")
        let observations = try Fixture.scene("cntk-fridge")
        let quick = try Fixture.reasoner().run(observations: observations, profile: profile, today: Fixture.today)
        let deep = try await Self.reasoner().run(
            observations: observations, profile: profile, today: Fixture.today, mode: .contemplating, panel: Self.panel())
        #expect(quick.proposal?.foodID == "tofu_firm")
        #expect(deep.proposal?.foodID == "tofu_firm")
        let vetoes = deep.trace.contemplation?.candidates.first { $0.foodID == "greek_yogurt" }?.vetoes
        #expect(vetoes == ["preferences: dairy allergy: no food tagged dairy"])
        // The yogurt in the fridge does not count towards the supply either.
        #expect(
            quick.trace.fact("inference.excluded.yogurt")?.summary
                == "Yogurt, plain, low fat does not count: the wearer has a dairy allergy.")
    }

    @Test func noDeficitMeansNoDebate() async throws {
        let run = try await Self.contemplate(Self.panel(), profile: "enough")
        #expect(run.proposal == nil)
        #expect(run.trace.contemplation?.specialists.isEmpty == true)
        #expect(run.trace.contemplation?.why.hasPrefix("nothing to decide") == true)
    }

    @Test func aBadContemplateBlockIsNamed() throws {
        let text = """
            {"format": "sightline-chain/1", "name": "n", "steps": [
              {"id": "a", "type": "action", "parameters": {"contemplate": {"specialists": ["nutrition", "astrology"]}}}]}
            """
        #expect {
            try Reasoner(chain: ChainDefinition.decode(Array(text.utf8), file: "c.json"), knowledge: Fixture.knowledge())
        } throws: { e in
            (e as? ReasoningError)?.description
                == "c.json: step 0: steps[0].parameters.contemplate.specialists[1]: unknown specialist \"astrology\" (known: nutrition, pantry, portion, preferences)"
        }
        let typo = text.replacingOccurrences(of: "\"specialists\"", with: "\"specialist\"")
        #expect(throws: ReasoningError.self) {
            try Reasoner(chain: ChainDefinition.decode(Array(typo.utf8), file: "c.json"), knowledge: Fixture.knowledge())
        }
    }
}
