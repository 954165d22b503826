"""The M/M/c/c loss model of bench/peer.ts on SimPy, same parameters.

usage: python3 bench/peer_simpy.py CUSTOMERS SERVERS MEAN_SERVICE_S OFFERED_ERLANG BATCHES
Prints one JSON line: customers, blocked, events (arrivals plus
departures, counted as bench/peer.ts counts them), seconds (the run's
wall time), batchBlocking (blocking probability per batch of customers).

Runs on SimPy 3 or later (`simpy`) or on SimPy 2 (`SimPy.Simulation`, the
API of Debian's python3-simpy), whichever is installed; the model and the
counting are the same.
"""
import json
import random
import sys
import time

try:
    import simpy
except ImportError:  # Debian's python3-simpy is SimPy 2
    simpy = None


def run_simpy2(customers, servers, mean_service, rate, rng, state, batch_blocked, per_batch):
    """The same model on SimPy 2's classic process API; returns the run's wall time, s."""
    from SimPy.Simulation import Process, activate, hold, initialize, simulate

    class Service(Process):
        def run(self, duration):
            yield hold, self, duration
            state["busy"] -= 1
            state["events"] += 1

    class Source(Process):
        def run(self):
            for i in range(customers):
                yield hold, self, rng.expovariate(rate)
                state["events"] += 1
                if state["busy"] < servers:
                    state["busy"] += 1
                    job = Service()
                    activate(job, job.run(rng.expovariate(1 / mean_service)))
                else:
                    state["blocked"] += 1
                    batch_blocked[i // per_batch] += 1

    initialize()
    source = Source()
    activate(source, source.run())
    start = time.perf_counter()
    simulate(until=1e300)
    return time.perf_counter() - start


def main():
    customers, servers = int(sys.argv[1]), int(sys.argv[2])
    mean_service, offered, batches = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    rate = offered / mean_service
    per_batch = -(-customers // batches)
    rng = random.Random(1)
    state = {"busy": 0, "blocked": 0, "events": 0}
    batch_blocked = [0] * batches
    if simpy is None:
        seconds = run_simpy2(customers, servers, mean_service, rate, rng, state, batch_blocked, per_batch)
        report(customers, state, seconds, batch_blocked, per_batch, batches)
        return
    env = simpy.Environment()

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
    report(customers, state, seconds, batch_blocked, per_batch, batches)


def report(customers, state, seconds, batch_blocked, per_batch, batches):
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
