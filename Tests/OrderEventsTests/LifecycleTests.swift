import Foundation
import Testing

@testable import OrderEvents

@Suite("Order lifecycle")
struct LifecycleTests {
    @Test("The happy path is legal end to end")
    func happyPath() throws {
        var status: OrderStatus?
        for type in OrderEventFixtures.path(to: .delivered) { status = try OrderLifecycle.apply(type, to: status) }
        #expect(status == .delivered)
        #expect(status!.isTerminal)
    }

    @Test("Exactly four statuses end an order")
    func terminals() {
        #expect(Set(OrderStatus.allCases.filter(\.isTerminal)) == [.delivered, .rejected, .cancelled, .deliveryFailed])
    }

    @Test(
        "Illegal steps are rejected with the allowed alternatives",
        arguments: [
            (OrderStatus?.none, OrderEventType.placedWithRestaurant),
            (.created, .delivered), (.placed, .pickedUp), (.pickedUp, .cancelledByCustomer),
            (.delivered, .cancelledByCustomer), (.rejected, .acceptedByRestaurant), (.outForDelivery, .created),
        ])
    func illegal(from status: OrderStatus?, event: OrderEventType) {
        let error = #expect(throws: IllegalTransition.self) { try OrderLifecycle.apply(event, to: status) }
        #expect(error?.description.isEmpty == false)
    }

    @Test("Every type's fixture path is legal and each event validates")
    func fixtures() throws {
        for type in OrderEventType.allCases {
            var status: OrderStatus?
            for step in OrderEventFixtures.path(to: type) { status = try OrderLifecycle.apply(step, to: status) }
            #expect(status == type.resultingStatus)
            try OrderEventCodec.validate(OrderEventFixtures.event(type))
        }
    }

    @Test("Random legal lifecycles encode and decode to equal events (1,000 orders)")
    func roundTripProperty() throws {
        var generator = SeededGenerator(seed: 2026)
        var endings: [OrderStatus: Int] = [:]
        for index in 0..<1_000 {
            let events = OrderEventFixtures.randomLifecycle(orderID: "ord-\(index)", using: &generator)
            #expect(events.map(\.sequence) == Array(1...events.count))
            for event in events {
                #expect(try OrderEventCodec.decode(OrderEventCodec.encode(event)) == event)
            }
            endings[events.last!.order.status, default: 0] += 1
        }
        #expect(endings.keys.allSatisfy { $0.isTerminal })
        #expect(endings.count == 4, "every ending occurs: \(endings)")
    }
}

@Suite("Trace context")
struct TraceContextTests {
    @Test("traceparent round-trips and invalid ones are refused")
    func traceparent() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceContext(traceparent: valid)?.traceparent == valid)
        for invalid in [
            "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4bf92f35-00f067aa0ba902b7-01", "00-zz-00f067aa0ba902b7-01",
        ] {
            #expect(TraceContext(traceparent: invalid) == nil, "\(invalid)")
        }
        var generator = SeededGenerator(seed: 7)
        let random = TraceContext.random(using: &generator)
        #expect(TraceContext(traceparent: random.traceparent) == random)
        let headers = OrderEventHeaders.fields(for: OrderEventFixtures.event(.created), trace: random)
        #expect(headers.map(\.key) == ["event-type", "schema-version", "content-type", "traceparent"])
        #expect(headers[0].value == "order.created")
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("Millisecond UTC text, exact round trip", arguments: [0, 1, 999, 1_000, 1_795_000_000_125, 1_795_000_000_007])
    func roundTrip(milliseconds: Int64) {
        let date = Timestamp.date(milliseconds: milliseconds)
        let text = Timestamp.format(date)
        #expect(text.hasSuffix(String(format: ".%03lldZ", milliseconds % 1000)))
        #expect(Timestamp.parse(text) == date)
        #expect(Timestamp.milliseconds(date) == milliseconds)
    }

    @Test(
        "The direct formatter writes what Foundation's ISO 8601 formatter writes from 1583, and every date round-trips through the parser")
    func directFormatterAgreesWithGeneral() {
        var generator = SeededGenerator(seed: 11)
        let edges: [Int64] = [
            0, -1, 86_399_999, -86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, 253_402_300_799_999, -62_167_219_200_000,
            -2_208_988_800_000, 1_709_164_800_000,
        ]
        // 0000 … 9999: the span the direct formatter writes.
        let randoms = (0..<20_000).map { _ in Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &generator) }
        for milliseconds in edges + randoms {
            let date = Timestamp.date(milliseconds: milliseconds)
            // (Before 1583 Foundation's calendar is Julian; ISO 8601's, the parser's and the direct
            // formatter's is Gregorian.)
            if milliseconds >= -12_212_553_600_000 {
                #expect(Timestamp.format(date) == Timestamp.generalFormat(milliseconds: milliseconds), "\(milliseconds)")
            }
            #expect(Timestamp.parse(Timestamp.format(date)) == date, "\(milliseconds)")
        }
    }

    @Test("Sub-millisecond precision is rounded away; whole seconds parse too")
    func normalisation() {
        #expect(Timestamp.format(Timestamp.date(milliseconds: 1_795_000_000_125).addingTimeInterval(0.0004)) == "2026-11-18T11:06:40.125Z")
        #expect(Timestamp.parse("2026-11-18T11:06:40Z") == Timestamp.date(milliseconds: 1_795_000_000_000))
        #expect(Timestamp.parse("yesterday") == nil)
    }
}

@Suite("Canonical timestamps")
struct CanonicalTimestampTests {
    @Test("The canonical shapes are read directly, and agree with the general ISO 8601 parser")
    func canonicalAgreesWithGeneral() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let milliseconds = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &random)
            let text = Timestamp.format(Timestamp.date(milliseconds: milliseconds))
            #expect(Timestamp.canonicalMilliseconds(text) == milliseconds, "\(text)")
            let whole = String(text.prefix(19)) + "Z"
            let general = try Date.ISO8601FormatStyle(timeZone: .gmt).parse(whole)
            #expect(Timestamp.canonicalMilliseconds(whole) == Timestamp.milliseconds(general), "\(whole)")
        }
        for odd in [
            "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-22T24:00:00.000Z", "2026-11-22T05:00:00+01:00", "2026-11-22 05:00:00Z",
            "x",
        ] {
            #expect(Timestamp.canonicalMilliseconds(odd) == nil, "\(odd) goes to the general parser")
        }
        #expect(Timestamp.parse("2024-02-29T23:59:59.999Z").map(Timestamp.milliseconds) == 1_709_251_199_999)
    }
}
