"""Run by the concurrency test in its own process: record N entries for one officer, one transaction each."""

import datetime as dt
import sys

from tracker import service

officer, count, worker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for i in range(count):
    service.record_entry(officer, dt.date(2026, 1, 1) + dt.timedelta(days=i % 365), "legal", 0.5, "online",
                         f"进程{worker}第{i}条", recorded_by=f"worker-{worker}")
print("done", worker)
