import Foundation
public import OrderEvents

/// The simulated city: who orders, who cooks, who delivers, and where.
public struct City: Sendable {
    public struct Configuration: Sendable {
        public var customers: Int
        public var restaurants: Int
        public var couriers: Int
        public var regions: [String]

        public init(
            customers: Int = 200, restaurants: Int = 20, couriers: Int = 40,
            regions: [String] = ["north", "south", "east", "west", "center"]
        ) {
            self.customers = customers
            self.restaurants = restaurants
            self.couriers = couriers
            self.regions = regions
        }
    }

    public struct Restaurant: Sendable {
        public var info: OrderSnapshot.Restaurant
        public var menu: [OrderSnapshot.Item]
    }

    public var customers: [(customer: OrderSnapshot.Customer, region: String)]
    public var restaurants: [Restaurant]
    public var couriers: [OrderSnapshot.Courier]

    public init(_ configuration: Configuration, using generator: inout some RandomNumberGenerator) {
        precondition(
            configuration.customers > 0 && configuration.restaurants > 0 && configuration.couriers > 0 && !configuration.regions.isEmpty)
        let firstNames = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances", "Ken", "Radia", "Tim", "Hedy"]
        let lastNames = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen", "Thompson", "Perlman"]
        let kitchens: [(name: String, dishes: [(String, Int)])] = [
            ("Pho Real", [("Phở bò", 1250), ("Spring rolls", 590), ("Bánh mì", 890)]),
            ("Curry Up", [("Chicken tikka", 1390), ("Dal", 950), ("Naan", 350)]),
            ("Pizza Pi", [("Margherita", 1100), ("Diavola", 1290), ("Tiramisu", 650)]),
            ("Wok This Way", [("Kung pao", 1190), ("Fried rice", 850), ("Dumplings", 690)]),
            ("Taco Bout It", [("Al pastor", 990), ("Quesadilla", 890), ("Churros", 490)]),
            ("Sushi Roll Call", [("Salmon roll", 1290), ("Miso soup", 390), ("Edamame", 450)]),
        ]
        func name() -> String { "\(firstNames.randomElement(using: &generator)!) \(lastNames.randomElement(using: &generator)!)" }
        customers = (1...configuration.customers).map { index in
            (OrderSnapshot.Customer(id: "cus-\(index.padded(4))", name: name()), configuration.regions.randomElement(using: &generator)!)
        }
        restaurants = (1...configuration.restaurants).map { index in
            let kitchen = kitchens[(index - 1) % kitchens.count]
            let branch = (index - 1) / kitchens.count
            let region = configuration.regions[(index - 1) % configuration.regions.count]
            return Restaurant(
                info: .init(
                    id: "res-\(index.padded(3))", name: branch == 0 ? kitchen.name : "\(kitchen.name) #\(branch + 1)", region: region),
                menu: kitchen.dishes.map { .init(sku: Self.sku($0.0), name: $0.0, quantity: 1, unitPriceCents: $0.1) })
        }
        couriers = (1...configuration.couriers).map { .init(id: "cou-\($0.padded(3))", name: name()) }
    }

    /// "Phở bò" → "pho-bo": SKUs are plain ASCII, easy to type in a curl command.
    static func sku(_ dish: String) -> String {
        dish.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d").lowercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
    }
}

extension Int {
    func padded(_ width: Int) -> String {
        let text = String(self)
        return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
