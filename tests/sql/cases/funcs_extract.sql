SELECT meter, extract(hour FROM ts) AS h, extract(day FROM ts) AS d, date_part('year', ts) AS y FROM bronze.readings ORDER BY ts, meter
