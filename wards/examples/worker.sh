#!/bin/sh
# A worker that beats at the start of every unit of work (WORK=) and, on
# unit $HANG_AT, hangs: alive but stuck, the case a supervisor that only
# watches for exits never sees.  steward names the unit it hung in.
hang_at=${HANG_AT:-5}
unit=1
while :; do
	echo "WORK=job-$unit" >&3 || exit 1
	echo "worker: working on job-$unit"
	if [ "$unit" -eq "$hang_at" ]; then
		echo "STATUS=stuck on job-$unit" >&3
		echo "worker: waiting for the database (job-$unit)" >&2
		while :; do sleep 60; done
	fi
	sleep 0.3
	unit=$((unit + 1))
done
