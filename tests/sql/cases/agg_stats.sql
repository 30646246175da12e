SELECT round(stddev(load_kwh), 12) AS sd, round(variance(load_kwh), 12) AS v, median(load_kwh) AS med FROM bronze.readings
