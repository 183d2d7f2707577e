# Channel ROI (src/insight/roi/README.md): spend against attributed conversions, revenue and
# lifetime value per channel and campaign. Pure: no I/O.
add_library(rapport_insight_roi roi/credit.cc roi/roi.cc)
target_link_libraries(rapport_insight_roi PUBLIC rapport_insight_attribution)

rapport_test(insight_roi_test SOURCES roi/roi_test.cc DEPS rapport_insight_roi)
