#pragma once
// Reactions, pins, read states (acks) and the mentions inbox over REST (Discord API v10 paths
// under /api/v1, plus GET /users/@me/read-states of our own). Reaction and pin changes are
// published to whoever may view the channel; acks only to the user's own sessions.
// docs/messages.md describes the rules.
#include "api/route_support.hpp"
#include "net/router.hpp"

namespace hearth::domain {
class Reactions;
class ReadStates;
} // namespace hearth::domain

namespace hearth::api {

struct ReactionDeps : ServerRouteDeps {
  domain::Reactions* reactions = nullptr;
  domain::ReadStates* read_states = nullptr;
};

void addReactionRoutes(net::Router& router, ReactionDeps deps);

} // namespace hearth::api
