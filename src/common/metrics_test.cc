#include "common/metrics.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(MetricsTest, CountersByLabelsRenderInPrometheusFormat) {
  Registry r;
  Counter* ok =
      r.GetCounter("http_requests_total", "Requests.", {{"route", "/v1/batch"}, {"status", "200"}});
  Counter* bad =
      r.GetCounter("http_requests_total", "Requests.", {{"route", "/v1/batch"}, {"status", "400"}});
  EXPECT_EQ(ok, r.GetCounter("http_requests_total", "Requests.",
                             {{"route", "/v1/batch"}, {"status", "200"}}));
  ok->Inc(3);
  bad->Inc();
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"/v1/batch\",status=\"200\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"/v1/batch\",status=\"400\"} 1\n"),
            std::string::npos);
}

TEST(MetricsTest, HistogramIsCumulative) {
  Registry r;
  Histogram* h = r.GetHistogram("fsync_seconds", "Fsync latency.", {0.001, 0.01, 0.1});
  h->Observe(0.0005);
  h->Observe(0.005);
  h->Observe(0.005);
  h->Observe(5);
  std::string text = r.Render();
  EXPECT_NE(text.find("fsync_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fsync_seconds_bucket{le=\"0.01\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("fsync_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("fsync_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("fsync_seconds_count 4\n"), std::string::npos);
  EXPECT_NE(text.find("fsync_seconds_sum 5.0105\n"), std::string::npos);
}

TEST(MetricsTest, LabelValuesEscaped) {
  Registry r;
  r.GetCounter("c", "h", {{"route", "a\"b\\c"}})->Inc();
  EXPECT_NE(r.Render().find("c{route=\"a\\\"b\\\\c\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace rapport
