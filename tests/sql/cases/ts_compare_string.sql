SELECT meter, ts FROM bronze.readings WHERE ts > TIMESTAMP '2026-01-01 00:30' AND ts < '2026-01-02' ORDER BY ts, meter
