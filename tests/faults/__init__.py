"""Fault tests: real processes (daphne, redis-server, a private PostgreSQL cluster, the
worker, a small filesystem) stopped, killed or filled while the site is used, each
asserting what agents see and that nothing is lost or duplicated (marker `faults`)."""
