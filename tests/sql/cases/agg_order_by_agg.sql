SELECT meter FROM bronze.readings GROUP BY meter ORDER BY count(*) DESC, meter
