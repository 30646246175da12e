SELECT m.meter, n.i FROM bronze.meters m CROSS JOIN bronze.nums n WHERE n.i < 3 ORDER BY 1, 2
