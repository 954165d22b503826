"""The M/M/c/c loss model of bench/peer.ts on SimPy, same parameters.

usage: python3 bench/peer_simpy.py CUSTOMERS SERVERS MEAN_SERVICE_S OFFERED_ERLANG BATCHES
Prints one JSON line: customers, blocked, events (arrivals plus
departures, counted as bench/peer.ts counts them), seconds (the run's
wall time), batchBlocking (blocking probability per batch of customers).
"""
import json
import random
import sys
import time

import simpy


def main():
    customers, servers = int(sys.argv[1]), int(sys.argv[2])
    mean_service, offered, batches = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    rate = offered / mean_service
    per_batch = -(-customers // batches)
    rng = random.Random(1)
    env = simpy.Environment()
    state = {"busy": 0, "blocked": 0, "events": 0}
    batch_blocked = [0] * batches

    def service():
        yield env.timeout(rng.expovariate(1 / mean_service))
        state["busy"] -= 1
        state["events"] += 1

    def source():
        for i in range(customers):
            yield env.timeout(rng.expovariate(rate))
            state["events"] += 1
            if state["busy"] < servers:
                state["busy"] += 1
                env.process(service())
            else:
                state["blocked"] += 1
                batch_blocked[i // per_batch] += 1

    env.process(source())
    start = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - start
    sizes = [min(per_batch, customers - b * per_batch) for b in range(batches)]
    print(json.dumps({
        "customers": customers,
        "blocked": state["blocked"],
        "events": state["events"],
        "seconds": seconds,
        "batchBlocking": [batch_blocked[b] / sizes[b] for b in range(batches)],
    }))


if __name__ == "__main__":
    main()
