import Kafka

// Before the first batch: the topics the transform writes, and its transactional id.
extension TransactionalTransform {
    /// Waits for the input topic, creates the output and the changelog beside it (compacted, one
    /// partition per input partition), and fences whatever a predecessor left open.
    func prepare() async throws {
        try await TopicWait.untilTopicsExist([input], configuration: common, logger: logger, whoCreates: "orders creates it")
        let partitions = try await consumer.partitionCount(of: input)
        let admin = try KafkaAdmin.make(configuration: common, logger: logger, requestTimeout: .seconds(30))
        for name in [output, changelog] {
            do {
                try await admin.ensureTopic(
                    NewTopic(name: name, partitions: partitions, replicationFactor: -1, configs: ["cleanup.policy": "compact"]))
            } catch {
                throw KafkaError(
                    .admin,
                    "could not create topic \(name) (\(partitions) partitions, compacted): \(error). Create it yourself, or let the broker allow CreateTopics."
                )
            }
        }
        // A topic just created may not be in every broker's metadata yet.
        try await TopicWait.untilTopicsExist([changelog], configuration: common, logger: logger, whoCreates: "this service creates it")
        let changelogPartitions = try await consumer.partitionCount(of: changelog)
        guard changelogPartitions == partitions else {
            throw KafkaError(
                .configuration,
                "\(changelog) has \(changelogPartitions) partitions and \(input) has \(partitions): each input partition keeps its state in the changelog partition of the same number. To rebuild both from \(input): stop the service, delete \(changelog) and \(output), reset the group (`fooddelivery groups reset-offsets \(consumer.configuration.groupID) --topic \(input) --to-earliest --execute`), start the service."
            )
        }
        // The coordinator may still be loading its transaction log: that is worth waiting for.
        while true {
            do {
                try await producer.initTransactions()
                return
            } catch  where error.isRetriable {
                logger.warning("\(output): initTransactions: \(error); trying again")
            } catch {
                throw KafkaError(
                    .configuration,
                    "\(output): the broker refused to start transactions for \(producer.configuration.transactionalID ?? "?") (\(error)). Kafka needs transaction.state.log settings its brokers can meet (replication factor, min.insync.replicas); or run the service with --publish-stats false."
                )
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
