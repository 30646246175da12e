SELECT meter, 'r' AS src FROM bronze.readings WHERE load_kwh > 1 UNION ALL SELECT meter, 'm' FROM bronze.meters ORDER BY meter, src
