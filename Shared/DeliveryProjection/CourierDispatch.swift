public import Choreography
import Contract
public import Foundation
public import GRDB
import OrderEvents
public import Projection

/// The couriers' part in the choreography: each region has a pool of couriers; a request for a
/// courier takes the region's first free one (or waits for one to come free), who rides to the
/// restaurant, picks the meal up, rides out and delivers — or drops out before pickup (`orders`
/// then asks again), or fails at the door. `courier-requests` is keyed by region, so one region's
/// pool is dispatched by the instance that owns its partition.
///
/// Times are the decider's own, stored with each job (`nextStepAt`, wall clock), so a courier on
/// the road when the service died arrives on time after a restart. With the same `seed` the same
/// jobs go the same way (`DecisionRandom`).
public struct CourierDispatch: Decider {
    public var seed: UInt64
    /// Simulated seconds per real second.
    public var speed: Double
    public var couriersPerRegion = 6
    /// Couriers who drop out between assignment and pickup.
    public var dropRate = 0.04
    /// Deliveries that fail at the door.
    public var failureRate = 0.02

    public init(seed: UInt64, speed: Double) {
        self.seed = seed
        self.speed = speed
    }

    public var producer: String { ServiceNames.delivery }
    public var inputs: [FlowMessageType.Topic] { [.courierRequests] }

    enum Status: String {
        case waiting, assigned
        case pickedUp = "picked_up"
        case out, delivered, failed, dropped, cancelled
    }

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("dispatch v1: couriers and jobs") { db in
            try db.create(table: "courier") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("region", .text).notNull().indexed()
                table.column("orderId", .text)  // the job it is on; NULL: free
            }
            try db.create(table: "delivery_job") { table in
                table.column("orderId", .text).notNull()
                table.column("attempt", .integer).notNull()
                table.column("region", .text).notNull()
                table.column("restaurant", .blob).notNull()  // OrderSnapshot.Restaurant as JSON
                table.column("partition", .integer).notNull()
                table.column("status", .text).notNull()
                table.column("courierId", .text)
                table.column("requestedAt", .double).notNull()
                table.column("nextStepAt", .double)
                table.column("traceparent", .text)
                table.primaryKey(["orderId", "attempt"])
            }
            try db.create(index: "delivery_job_due", on: "delivery_job", columns: ["nextStepAt"], condition: Column("nextStepAt") != nil)
            try db.create(index: "delivery_job_status", on: "delivery_job", columns: ["status", "requestedAt"])
        }
    }

    public func decide(_ message: FlowMessage, in context: DecisionContext) throws {
        let db = context.db
        guard let region = message.region, let restaurant = message.restaurant, let attempt = message.attempt else {
            throw DecisionError.rejected("\(message.type.rawValue) needs a region, a restaurant and an attempt")
        }
        let known = try String.fetchOne(
            db, sql: "SELECT status FROM delivery_job WHERE orderId = ? AND attempt = ?", arguments: [message.orderId, attempt])
        switch message.type {
        case .courierRequested:
            guard known == nil else { return }  // cancelled before it arrived
            try db.execute(
                sql: """
                    INSERT INTO delivery_job (orderId, attempt, region, restaurant, partition, status, requestedAt, traceparent)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    message.orderId, attempt, region, try JSONEncoder().encode(restaurant), context.partition ?? -1,
                    Status.waiting.rawValue, context.now.timeIntervalSince1970, context.traceparent,
                ])
            try hire(region, in: db)
            try assignWaiting(in: context, regions: [region])
        case .courierRequestCancelled:
            if known == nil {
                try db.execute(
                    sql: """
                        INSERT INTO delivery_job (orderId, attempt, region, restaurant, partition, status, requestedAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        message.orderId, attempt, region, try JSONEncoder().encode(restaurant), context.partition ?? -1,
                        Status.cancelled.rawValue, context.now.timeIntervalSince1970,
                    ])
            } else if known == Status.waiting.rawValue || known == Status.assigned.rawValue {
                try finish(message.orderId, attempt: attempt, as: .cancelled, in: db)
            }
        default:
            throw DecisionError.rejected("\(message.type.rawValue) is not for the couriers")
        }
    }

    public func decideDue(in context: DecisionContext) throws -> Date? {
        let db = context.db
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT orderId, attempt, region, restaurant, status, courierId, traceparent FROM delivery_job
                WHERE nextStepAt <= ? ORDER BY nextStepAt LIMIT 500
                """,
            arguments: [context.now.timeIntervalSince1970])
        for row in rows {
            let (orderID, attempt): (String, Int) = (row["orderId"], row["attempt"])
            let restaurant = try JSONDecoder().decode(OrderSnapshot.Restaurant.self, from: row["restaurant"] as Data)
            var random = DecisionRandom(seed: seed, orderID: orderID, step: "ride-\(attempt)-\(row["status"] as String)")
            func send(_ type: FlowMessageType, reason: String? = nil) throws {
                try context.send(
                    FlowMessage(
                        type: type, orderId: orderID, producer: producer, occurredAt: context.now, restaurant: restaurant,
                        region: row["region"], attempt: attempt, reason: reason),
                    traceparent: row["traceparent"])
            }
            switch Status(rawValue: row["status"]) {
            case .assigned:
                if random.chance(dropRate) {
                    try finish(orderID, attempt: attempt, as: .dropped, in: db)
                    try send(.courierDropped, reason: "the courier's bike broke down")
                } else {
                    try advance(orderID, attempt: attempt, to: .pickedUp, after: random.seconds(0.5...2), from: context.now, in: db)
                    try send(.pickedUp)
                }
            case .pickedUp:
                try advance(orderID, attempt: attempt, to: .out, after: random.seconds(5...20), from: context.now, in: db)
                try send(.outForDelivery)
            case .out:
                if random.chance(failureRate) {
                    try finish(orderID, attempt: attempt, as: .failed, in: db)
                    try send(.deliveryFailed, reason: "customer not reachable")
                } else {
                    try finish(orderID, attempt: attempt, as: .delivered, in: db)
                    try send(.delivered)
                }
            default:
                try db.execute(
                    sql: "UPDATE delivery_job SET nextStepAt = NULL WHERE orderId = ? AND attempt = ?", arguments: [orderID, attempt])
            }
        }
        // Couriers that came free take the jobs that waited longest.
        try assignWaiting(in: context, regions: nil)
        return try Double.fetchOne(db, sql: "SELECT MIN(nextStepAt) FROM delivery_job WHERE nextStepAt IS NOT NULL")
            .map(Date.init(timeIntervalSince1970:))
    }

    /// The region's pool, created the first time the region asks for a courier.
    private func hire(_ region: String, in db: Database) throws {
        guard try Int.fetchOne(db, sql: "SELECT 1 FROM courier WHERE region = ? LIMIT 1", arguments: [region]) == nil else { return }
        for index in 1...couriersPerRegion {
            let id = "cou-\(region)-\(index < 10 ? "0" : "")\(index)"
            var random = DecisionRandom(seed: seed, orderID: id, step: "name")
            let name = "\(Self.firstNames.randomElement(using: &random)!) \(Self.lastNames.randomElement(using: &random)!)"
            try db.execute(sql: "INSERT OR IGNORE INTO courier (id, name, region) VALUES (?, ?, ?)", arguments: [id, name, region])
        }
    }

    /// Gives waiting jobs (oldest first) the free couriers of their region (`regions` nil: every
    /// region). A job taken here is dispatched here even after its partition moved to another
    /// instance, which starts after it and never sees it.
    private func assignWaiting(in context: DecisionContext, regions: [String]?) throws {
        let db = context.db
        let waiting = try Row.fetchAll(
            db,
            sql:
                "SELECT orderId, attempt, region, restaurant, partition, traceparent FROM delivery_job WHERE status = ? ORDER BY requestedAt",
            arguments: [Status.waiting.rawValue])
        for job in waiting {
            let region: String = job["region"]
            guard regions?.contains(region) ?? true else { continue }
            guard
                let courier = try Row.fetchOne(
                    db, sql: "SELECT id, name FROM courier WHERE region = ? AND orderId IS NULL ORDER BY id LIMIT 1", arguments: [region])
            else { continue }
            let (orderID, attempt): (String, Int) = (job["orderId"], job["attempt"])
            var random = DecisionRandom(seed: seed, orderID: orderID, step: "assign-\(attempt)")
            try db.execute(sql: "UPDATE courier SET orderId = ? WHERE id = ?", arguments: [orderID, courier["id"] as String])
            try db.execute(
                sql: "UPDATE delivery_job SET status = ?, courierId = ?, nextStepAt = ? WHERE orderId = ? AND attempt = ?",
                arguments: [
                    Status.assigned.rawValue, courier["id"] as String,
                    context.now.addingTimeInterval(random.seconds(2...8) / speed).timeIntervalSince1970, orderID, attempt,
                ])
            try context.send(
                FlowMessage(
                    type: .courierAssigned, orderId: orderID, producer: producer, occurredAt: context.now,
                    restaurant: try JSONDecoder().decode(OrderSnapshot.Restaurant.self, from: job["restaurant"] as Data), region: region,
                    courier: .init(id: courier["id"], name: courier["name"]), attempt: attempt),
                traceparent: job["traceparent"])
        }
    }

    private func advance(_ orderID: String, attempt: Int, to status: Status, after simulated: Double, from now: Date, in db: Database)
        throws
    {
        try db.execute(
            sql: "UPDATE delivery_job SET status = ?, nextStepAt = ? WHERE orderId = ? AND attempt = ?",
            arguments: [status.rawValue, now.addingTimeInterval(simulated / speed).timeIntervalSince1970, orderID, attempt])
    }

    /// Ends a job and frees its courier.
    private func finish(_ orderID: String, attempt: Int, as status: Status, in db: Database) throws {
        try db.execute(
            sql: "UPDATE delivery_job SET status = ?, nextStepAt = NULL WHERE orderId = ? AND attempt = ?",
            arguments: [status.rawValue, orderID, attempt])
        try db.execute(sql: "UPDATE courier SET orderId = NULL WHERE orderId = ?", arguments: [orderID])
    }

    static let firstNames = ["Kim", "Sam", "Alex", "Noor", "Jo", "Ravi", "Lena", "Tomás", "Yuki", "Ama"]
    static let lastNames = ["Park", "Okafor", "Silva", "Novak", "Haddad", "Berg", "Mensah", "Rossi", "Tanaka", "Ortiz"]
}
