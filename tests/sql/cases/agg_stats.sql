SELECT stddev(load_kwh) AS sd, variance(load_kwh) AS v, median(load_kwh) AS med FROM bronze.readings
