import Choreography
import Foundation
import GRDB
public import Logging
import MessageTracing
public import OrderEvents
import Projection
public import ServiceLifecycle
import Synchronization

/// Simulates a city's customers: orders arrive at a steady rate, are placed, and are sometimes
/// cancelled. In a choreographed run (`Steps.choreographed`) that is all: `restaurants` and
/// `delivery` decide the rest, and `orders` reacts to their decisions. With `Steps.simulated` the
/// simulator plays the kitchens and the couriers too, stepping each order through its lifecycle
/// with realistic random delays, occasional rejections and failed deliveries, so `orders` alone
/// produces whole order lifecycles (a load generator for the benchmarks and the projection tests).
/// Many orders are in flight at once, so their events interleave.
///
/// With the same seed the same orders take the same decisions in the same order: all randomness
/// comes from one `SplitMix64`, and steps run in order of their (simulated) due time.
public final class CitySimulator: Service, Sendable {
    /// Who takes the steps after an order is placed.
    public enum Steps: String, Sendable, CaseIterable {
        /// `restaurants` and `delivery` decide; `orders` reacts.
        case choreographed
        /// The simulator plays the kitchens and the couriers as well.
        case simulated
    }

    public struct Configuration: Sendable {
        public var city = City.Configuration()
        public var steps = Steps.simulated
        /// New orders per second (of simulated time).
        public var ordersPerSecond: Double = 2
        /// Simulated seconds per real second: 10 runs a 40 s delivery in 4 s.
        public var speed: Double = 1
        public var seed: UInt64 = 1
        /// Stop creating orders after this many (nil: run until shut down).
        public var maxOrders: Int?
        public var rejectionRate = 0.05
        public var cancellationRate = 0.03
        public var deliveryFailureRate = 0.02

        public init() {}
    }

    public let configuration: Configuration
    /// The city (customers, restaurants, couriers), the same for every run with this seed.
    public let city: City
    private let ledger: OrderLedger
    /// Orders placed from outside (the HTTP API) that the simulation should carry on.
    private let adopted = Mutex<[String]>([])
    private let logger: Logger
    private let onEvent: @Sendable (OrderEvent) -> Void

    public init(
        configuration: Configuration, ledger: OrderLedger, logger: Logger, onEvent: @escaping @Sendable (OrderEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        var cityRandom = SplitMix64(seed: configuration.seed)
        self.city = City(configuration.city, using: &cityRandom)
        self.ledger = ledger
        self.logger = logger
        self.onEvent = onEvent
    }

    private enum Action {
        case arrival
        case step(String)
        /// A customer's cancel, whatever the order's state by then (choreographed runs).
        case cancel(String)
    }

    /// The ids of this seed's orders start with it.
    public var orderIDPrefix: String { "ord-\(configuration.seed)-" }

    /// Carries an order created elsewhere through the rest of its lifecycle.
    public func adopt(_ orderID: String) { adopted.withLock { $0.append(orderID) } }

    /// Runs until shutdown: after its own orders (`maxOrders`), it still carries adopted ones.
    public func run() async throws { try await simulate(endingWhenIdle: false) }

    /// `endingWhenIdle`: returns once nothing is on the agenda (`--exit-when-published`) instead
    /// of waiting for orders adopted later.
    public func simulate(endingWhenIdle: Bool) async throws {
        var random = SplitMix64(seed: configuration.seed &+ 1)
        let city = self.city
        var agenda = Agenda<Action>()
        // After a restart: continue the orders in flight and number new ones after the old.
        let prefix = orderIDPrefix
        let (unfinished, existing) = try await ledger.resumeState(idPrefix: prefix)
        let choreographed = configuration.steps == .choreographed
        // In a choreographed run only the customers' steps are the simulator's: placing.
        for (orderID, status) in unfinished where !choreographed || status == .created {
            agenda.schedule(.step(orderID), at: Double.random(in: 0...1, using: &random))
        }
        if !unfinished.isEmpty || existing > 0 {
            logger.info("resuming: \(existing) orders exist, \(unfinished.count) of them unfinished")
        }
        agenda.schedule(.arrival, at: 0)
        var created = existing
        let start = ContinuousClock.now
        // Simulated seconds ↔ real instants.
        func due(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds / configuration.speed) }
        func simulatedNow() -> Double { (ContinuousClock.now - start) / .seconds(1) * configuration.speed }

        while !Task.isShuttingDownGracefully {
            for orderID in adopted.withLock({ list in
                defer { list.removeAll() }
                return list
            }) {
                agenda.schedule(.step(orderID), at: simulatedNow() + Double.random(in: 1...4, using: &random))
            }
            guard let nextTime = agenda.nextTime else {
                if endingWhenIdle { break }
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            // Wake at least every 100 ms to pick up adopted orders; no sleep when already due.
            let wake = min(due(nextTime), .now + .milliseconds(100))
            if wake > .now { try await Task.sleep(until: wake, clock: .continuous) }
            guard due(nextTime) <= .now else { continue }
            // Every action due now (up to `batch`) runs in one transaction, in due order: under
            // load many orders' steps commit together, as a group commit would. The actions change
            // this run's agenda and random generator, hence the synchronous write.
            let events = try ledger.database.writer.writeBlocking { db in
                var events: [OrderEvent] = []
                var actions = 0
                while actions < Self.batch, let next = agenda.nextTime, due(next) <= .now, let (time, action) = agenda.next() {
                    actions += 1
                    if let event = try perform(action, at: time, in: db) { events.append(event) }
                }
                return events
            }
            for event in events { onEvent(event) }
        }

        /// One action, inside the batch's transaction: the event it wrote, if any.
        func perform(_ action: Action, at time: Double, in db: Database) throws -> OrderEvent? {
            switch action {
            case .arrival:
                guard configuration.maxOrders.map({ created < $0 }) ?? true else { return nil }
                created += 1
                let orderID = prefix + created.padded(6)
                let snapshot = newOrder(in: city, time: time, using: &random)
                let (trace, span) = try simulated("customer places order", orderID, fallback: .random(using: &random), in: db)
                defer { span?.end() }
                let event = try ledger.create(orderID: orderID, snapshot: snapshot, at: Date(), trace: trace, in: db)
                agenda.schedule(.step(orderID), at: time + Double.random(in: 0.5...2, using: &random))
                let gap = -log(1 - Double.random(in: 0..<1, using: &random)) / configuration.ordersPerSecond  // Poisson arrivals
                agenda.schedule(.arrival, at: time + gap)
                return event
            case .cancel(let orderID):
                guard let (snapshot, _) = try ledger.order(orderID, in: db),
                    OrderLifecycle.next(after: snapshot.status).contains(.cancelledByCustomer)
                else { return nil }
                // A kitchen's or a courier's news may have moved the order on (picked up): then it
                // is too late to cancel, and the check above says so.
                let (trace, span) = try simulated("customer cancels order", orderID, fallback: .random(using: &random), in: db)
                defer { span?.end() }
                return try ledger.advance(
                    orderID: orderID, to: .cancelledByCustomer, reason: "no longer hungry", at: Date(), trace: trace, in: db)
            case .step(let orderID) where choreographed:
                guard let (snapshot, _) = try ledger.order(orderID, in: db), snapshot.status == .created else { return nil }
                let roll = Double.random(in: 0..<1, using: &random)
                let step: (type: OrderEventType, reason: String?) =
                    roll < configuration.cancellationRate / 4 ? (.cancelledByCustomer, "changed my mind") : (.placedWithRestaurant, nil)
                let (trace, span) = try simulated(
                    step.type == .cancelledByCustomer ? "customer cancels order" : "customer confirms order", orderID,
                    fallback: .random(using: &random), in: db)
                defer { span?.end() }
                let event = try ledger.advance(orderID: orderID, to: step.type, reason: step.reason, at: Date(), trace: trace, in: db)
                if step.type != .cancelledByCustomer && roll < configuration.cancellationRate {
                    agenda.schedule(.cancel(orderID), at: time + Double.random(in: 2...30, using: &random))
                }
                return event
            case .step(let orderID):
                guard let (snapshot, _) = try ledger.order(orderID, in: db), !snapshot.status.isTerminal else { return nil }
                let (type, delay, reason) = nextStep(after: snapshot.status, using: &random)
                let courier = type == .courierAssigned ? city.couriers.randomElement(using: &random) : nil
                let (trace, span) = try simulated("simulated \(type.rawValue)", orderID, fallback: .random(using: &random), in: db)
                defer { span?.end() }
                let event = try ledger.advance(orderID: orderID, to: type, reason: reason, at: Date(), trace: trace, in: db) {
                    order in
                    if let courier { order.courier = courier }
                }
                if !event.order.status.isTerminal { agenda.schedule(.step(orderID), at: time + delay) }
                return event
            }
        }
        logger.info("simulation finished: \(created) orders")
    }

    /// The most actions one transaction holds.
    private static var batch: Int { 500 }

    /// The trace a simulated person's action continues. With a tracer, a span of its own: for a
    /// new order the root of the order's trace, for a later step a child of the span that placed
    /// the order (the customer's, or the `POST /orders` request's). Without one, `fallback`: a new
    /// span, in the order's trace (the ledger keeps an order's trace id).
    private func simulated(_ name: String, _ orderID: String, fallback: TraceContext, in db: Database) throws -> (
        trace: TraceContext, span: StepSpan?
    ) {
        guard MessageTracer.isTracing else { return (fallback, nil) }
        let span = MessageTracer.startStep(name, continuing: try ledger.placement(of: orderID, in: db), orderID: orderID)
        return (span?.traceparent.flatMap(TraceContext.init(traceparent:)) ?? fallback, span)
    }

    private func newOrder(in city: City, time: Double, using random: inout SplitMix64) -> OrderSnapshot {
        let (customer, region) = city.customers.randomElement(using: &random)!
        let restaurant = city.restaurants.randomElement(using: &random)!
        let items = restaurant.menu.shuffled(using: &random).prefix(Int.random(in: 1...restaurant.menu.count, using: &random)).map { dish in
            var item = dish
            item.quantity = Int.random(in: 1...3, using: &random)
            return item
        }
        // Promised: 45 simulated seconds after ordering, which a slow kitchen or courier misses.
        let promised = Date().addingTimeInterval(45 / configuration.speed)
        return OrderSnapshot(
            status: .created, customer: customer, restaurant: restaurant.info, region: region, items: items,
            totalCents: items.reduce(0) { $0 + $1.quantity * $1.unitPriceCents }, currency: "EUR", courier: nil, promisedBy: promised)
    }

    /// The next event for an order in `status`, how long until the one after, and a reason if it needs one.
    private func nextStep(after status: OrderStatus, using random: inout SplitMix64) -> (OrderEventType, Double, String?) {
        let roll = Double.random(in: 0..<1, using: &random)
        let cancel = configuration.cancellationRate / 4  // spread over the cancellable steps
        func delay(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }
        switch status {
        case .created: return roll < cancel ? (.cancelledByCustomer, 0, "changed my mind") : (.placedWithRestaurant, delay(1...4), nil)
        case .placed:
            if roll < configuration.rejectionRate {
                return (.rejectedByRestaurant, 0, ["kitchen closing", "out of ingredients", "too busy"].randomElement(using: &random))
            }
            if roll < configuration.rejectionRate + cancel { return (.cancelledByCustomer, 0, "took too long to accept") }
            return (.acceptedByRestaurant, delay(0.5...2), nil)
        case .accepted: return roll < cancel ? (.cancelledByCustomer, 0, "ordered by mistake") : (.preparing, delay(5...15), nil)
        case .preparing: return roll < cancel ? (.cancelledByCustomer, 0, "no longer hungry") : (.readyForPickup, delay(1...5), nil)
        case .readyForPickup: return (.courierAssigned, delay(2...8), nil)
        case .courierAssigned: return (.pickedUp, delay(0.5...2), nil)
        case .pickedUp: return (.outForDelivery, delay(5...20), nil)
        case .outForDelivery:
            return roll < configuration.deliveryFailureRate ? (.deliveryFailed, 0, "customer not reachable") : (.delivered, 0, nil)
        case .delivered, .rejected, .cancelled, .deliveryFailed: return (.delivered, 0, nil)  // never asked: terminal
        }
    }
}

/// Actions by due time; ties keep insertion order, so runs are reproducible.
struct Agenda<Action> {
    private var entries: [(time: Double, order: Int, action: Action)] = []
    private var counter = 0

    mutating func schedule(_ action: Action, at time: Double) {
        counter += 1
        let entry = (time, counter, action)
        // Binary search for the insertion point (kept sorted descending: next is at the end).
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if (entries[mid].time, entries[mid].order) > (time, counter) { low = mid + 1 } else { high = mid }
        }
        entries.insert(entry, at: low)
    }

    var nextTime: Double? { entries.last?.time }

    mutating func next() -> (Double, Action)? {
        guard let entry = entries.popLast() else { return nil }
        return (entry.time, entry.action)
    }
}
