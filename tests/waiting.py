"""Waiting on a condition with a deadline, instead of sleeping a fixed time.

A fixed sleep is too short on a loaded machine (a flaky test) and too long everywhere
else (a slow suite); polling a condition is neither. Keep a plain sleep only where the
delay itself is what a test exercises, and say so in a comment.
"""

import asyncio
import time

POLL_SECONDS = 0.02


def wait_until(condition, *, timeout: float = 30.0, what: str = "the condition"):
    """condition()'s first true value, polled until the deadline (AssertionError after)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(POLL_SECONDS)


async def wait_until_async(condition, *, timeout: float = 30.0, what: str = "the condition"):
    """As wait_until, from an event loop; condition may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
