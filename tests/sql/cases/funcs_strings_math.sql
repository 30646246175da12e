SELECT upper(region) AS u, length(region) AS n, substr(region, 1, 3) AS p, round(length(region) / 3.0, 2) AS r, abs(-length(region)) AS a FROM bronze.meters
