"""The e2e suite's object-store job: writes a small table as Parquet to the s3a:// path given as
its argument (through the committer the platform configures) and reads it back.

Prints one line the test reads: ROUNDTRIP rows=<n> sum=<sum of twice> committer=<name>."""
import sys

from pyspark.sql import SparkSession

ROWS = 10000


def main(path: str) -> int:
    spark = SparkSession.builder.appName("s3a-roundtrip").getOrCreate()
    try:
        table = spark.range(0, ROWS, numPartitions=4).selectExpr("id", "id * 2 AS twice")
        table.write.mode("overwrite").parquet(path)
        back = spark.read.parquet(path)
        rows = back.count()
        total = back.selectExpr("sum(twice) AS s").collect()[0]["s"]
        committer = spark.sparkContext.getConf().get("spark.hadoop.fs.s3a.committer.name", "unset")
        print(f"ROUNDTRIP rows={rows} sum={total} committer={committer}", flush=True)
        return 0 if rows == ROWS and total == ROWS * (ROWS - 1) else 1
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
