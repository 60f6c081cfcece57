/// How consumer groups are named: each consumer service is one group, named after the service
/// (its read model carries the same name), unless an operator names another.
public enum ConsumerGroups {
    public static func group(ofService service: String, override: String? = nil) -> String { override ?? service }
}
