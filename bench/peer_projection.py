#!/usr/bin/env python3
"""The Python peer of the projection benchmark: support's read model built the way a careful
Python service would — confluent-kafka, json, sqlite3 (WAL), batches applied in one transaction
together with the next offsets, each order's events once and in sequence. Same events, same
tables, same rules as the Swift runtime; prints events/s.

usage: peer_projection.py <bootstrap> <topic> <partition>=<end>[,...] <database path>
"""
import json, sqlite3, sys, time
from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, ends_arg, path = sys.argv[1:5]
ends = {int(p): int(e) for p, e in (item.split("=") for item in ends_arg.split(","))}
total = sum(ends.values())

db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.executescript("""
CREATE TABLE kafka_offset (topic TEXT, partition INTEGER, nextOffset INTEGER, PRIMARY KEY (topic, partition));
CREATE TABLE order_progress (orderId TEXT PRIMARY KEY, lastSequence INTEGER NOT NULL);
CREATE TABLE support_order (orderId TEXT PRIMARY KEY, partition INTEGER, customerId TEXT, customerName TEXT, restaurantName TEXT,
  region TEXT, status TEXT, courierName TEXT, totalCents INTEGER, promisedBy TEXT, lastEventAt TEXT, finished INTEGER);
CREATE INDEX support_order_customer ON support_order(customerId);
CREATE TABLE support_timeline (orderId TEXT, sequence INTEGER, eventId TEXT, type TEXT, occurredAt TEXT, reason TEXT,
  partition INTEGER, offset INTEGER, PRIMARY KEY (orderId, sequence));
""")
TERMINAL = {"delivered", "rejected", "cancelled", "delivery_failed"}

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "peer-%d" % time.time_ns(), "enable.auto.commit": False,
                     "fetch.wait.max.ms": 10, "queued.min.messages": 100000})
consumer.assign([TopicPartition(topic, p, 0) for p in ends])
start = time.perf_counter()
applied = read = 0
while read < total:
    messages = consumer.consume(5000, 1.0)
    if not messages:
        continue
    db.execute("BEGIN")
    next_offsets = {}
    for message in messages:
        if message.error():
            continue
        read += 1
        next_offsets[message.partition()] = message.offset() + 1
        try:
            event = json.loads(message.value())
        except ValueError:
            continue
        order_id, sequence = event["orderId"], event["sequence"]
        row = db.execute("SELECT lastSequence FROM order_progress WHERE orderId = ?", (order_id,)).fetchone()
        last = row[0] if row else 0
        if sequence != last + 1:
            continue
        order = event["order"]
        courier = order.get("courier")
        db.execute("""INSERT INTO support_order VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT(orderId) DO UPDATE SET status=excluded.status, courierName=excluded.courierName,
            lastEventAt=excluded.lastEventAt, finished=excluded.finished""",
            (order_id, message.partition(), order["customer"]["id"], order["customer"]["name"], order["restaurant"]["name"], order["region"],
             order["status"], courier["name"] if courier else None, order["totalCents"], order["promisedBy"], event["occurredAt"],
             1 if order["status"] in TERMINAL else 0))
        db.execute("INSERT INTO support_timeline VALUES (?,?,?,?,?,?,?,?)",
            (order_id, sequence, event["eventId"], event["type"], event["occurredAt"], event.get("reason"), message.partition(), message.offset()))
        db.execute("INSERT INTO order_progress VALUES (?,?) ON CONFLICT(orderId) DO UPDATE SET lastSequence=excluded.lastSequence", (order_id, sequence))
        applied += 1
    db.executemany("INSERT INTO kafka_offset VALUES (?,?,?) ON CONFLICT(topic, partition) DO UPDATE SET nextOffset=excluded.nextOffset",
                   [(topic, p, o) for p, o in next_offsets.items()])
    db.execute("COMMIT")
elapsed = time.perf_counter() - start
consumer.close()
print("peer: %d events read, %d applied in %.2f s: %.0f events/s" % (read, applied, elapsed, read / elapsed))
