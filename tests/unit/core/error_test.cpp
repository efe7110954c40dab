#include "core/error.hpp"

#include <set>

#include <gtest/gtest.h>

namespace hearth::core {
namespace {

TEST(Error, MapsCodesToDiscordsStatuses) {
  EXPECT_EQ(httpStatus(ErrorCode::kUnknownChannel), 404);
  EXPECT_EQ(httpStatus(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(httpStatus(ErrorCode::kMissingPermissions), 403);
  EXPECT_EQ(httpStatus(ErrorCode::kInvalidFormBody), 400);
  EXPECT_EQ(httpStatus(ErrorCode::kRequestTooLarge), 413);
  EXPECT_EQ(httpStatus(ErrorCode::kHeadersTooLarge), 431);
  EXPECT_EQ(httpStatus(ErrorCode::kRequestTimeout), 408);
  EXPECT_EQ(httpStatus(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(httpStatus(ErrorCode::kServiceUnavailable), 503);
  EXPECT_EQ(httpStatus(ErrorCode::kGeneral), 500);
  EXPECT_EQ(httpStatus(ErrorCode::kUnknownEmoji), 400); // a bad emoji in the path is bad input
  EXPECT_EQ(httpStatus(ErrorCode::kMaxPins), 400);
  EXPECT_EQ(httpStatus(ErrorCode::kMaxReactions), 400);
}

TEST(Error, KeepsDiscordsNumericCodes) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnknownChannel), 10003);
  EXPECT_EQ(static_cast<int>(ErrorCode::kMissingAccess), 50001);
  EXPECT_EQ(static_cast<int>(ErrorCode::kMissingPermissions), 50013);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidFormBody), 50035);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnauthorized), 40001);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnknownEmoji), 10014);
  EXPECT_EQ(static_cast<int>(ErrorCode::kMaxPins), 30003);
  EXPECT_EQ(static_cast<int>(ErrorCode::kMaxReactions), 30010);
}

TEST(Error, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (const auto code :
       {ErrorCode::kGeneral, ErrorCode::kNotFound, ErrorCode::kInvalidJson, ErrorCode::kMalformedRequest,
        ErrorCode::kDatabase, ErrorCode::kShuttingDown, ErrorCode::kStaleRead}) {
    EXPECT_TRUE(names.insert(errorName(code)).second) << errorName(code);
  }
}

TEST(Error, FailBuildsAnUnexpected) {
  const Result<int> result = fail(ErrorCode::kUnknownUser, "no such user");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnknownUser);
  EXPECT_EQ(result.error().message, "no such user");
}

} // namespace
} // namespace hearth::core
