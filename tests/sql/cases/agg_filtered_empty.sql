SELECT count(*) AS n, avg(load_kwh) AS a FROM bronze.readings WHERE load_kwh > 100
