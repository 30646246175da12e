SELECT new.meter, new.ts FROM bronze.readings new LEFT JOIN bronze.readings VERSION AS OF 0 old ON new.ts = old.ts AND new.meter = old.meter WHERE old.meter IS NULL
