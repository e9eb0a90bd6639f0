// A Monte Carlo estimate of Pi, the e2e image's stand-in for Spark's classic example (written for
// this project; e2e/images/build.sh compiles it into /opt/spark/examples/jars/spark-examples.jar).
//
//   spark-submit --class org.apache.spark.examples.SparkPi local:///opt/spark/examples/jars/spark-examples.jar [slices]
//
// slices (default 2) is the number of partitions, each throwing 100000 darts at the square
// [-1, 1] x [-1, 1]; the share landing in the unit circle approaches Pi / 4. A slices argument
// that is not a whole positive number fails the application before Spark starts (non-zero exit):
// the e2e tests use `abc` as a deliberately failing application.
package org.apache.spark.examples

import java.util.concurrent.ThreadLocalRandom

import org.apache.spark.sql.SparkSession

object SparkPi {
  private val DartsPerSlice = 100000L

  def main(args: Array[String]): Unit = {
    val slices: Int = args.headOption match {
      case None => 2
      case Some(arg) =>
        val n = arg.trim.toInt // NumberFormatException for "abc": the app fails
        require(n > 0, s"slices must be positive, got $n")
        n
    }
    val darts = math.min(DartsPerSlice * slices, Int.MaxValue.toLong).toInt

    val spark = SparkSession.builder().appName("Spark Pi").getOrCreate()
    try {
      val inside = spark.sparkContext
        .parallelize(0 until darts, slices)
        .mapPartitions { points =>
          val rnd = ThreadLocalRandom.current()
          var hits = 0L
          points.foreach { _ =>
            val x = rnd.nextDouble(-1.0, 1.0)
            val y = rnd.nextDouble(-1.0, 1.0)
            if (x * x + y * y <= 1.0) hits += 1
          }
          Iterator.single(hits)
        }
        .reduce(_ + _)
      println(s"Pi is roughly ${4.0 * inside / darts}")
    } finally {
      spark.stop()
    }
  }
}
