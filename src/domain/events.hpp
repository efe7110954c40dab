#pragma once
// The event bus: every change to servers, channels, roles and members is published here as a
// Discord gateway dispatch (name + the same JSON the REST API returns), and delivered to the
// handlers (api::deliverEvents sends them to gateway clients). In-process by default; with a
// transport (bus::RedisBus, hearthd --redis), events go through Redis and come back to every
// node, this one included, which delivers them to its own handlers.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "domain/permissions.hpp"

namespace hearth::domain {

struct Event {
  std::string type; //!< "GUILD_CREATE", "CHANNEL_UPDATE", "GUILD_MEMBER_REMOVE", ...
  std::uint64_t guild_id = 0;
  std::uint64_t channel_id = 0; //!< set for channel-scoped events: delivery checks VIEW_CHANNEL
  std::string data; //!< the dispatch's `d`, serialized JSON
  //! When set, only these users receive it (GUILD_CREATE to a joining member, GUILD_DELETE to a
  //! kicked one); otherwise every member who may see it.
  std::vector<std::uint64_t> only_users;
  //! For a channel that no longer exists (CHANNEL_DELETE): its type and overwrites as they
  //! were, so delivery can still tell who could see it.
  bool channel_gone = false;
  int channel_type = 0;
  std::vector<Overwrite> channel_overwrites;
  //! For a channel whose overwrites changed (CHANNEL_UPDATE): the overwrites before, so members
  //! who could see it and no longer can are sent CHANNEL_DELETE instead.
  bool overwrites_changed = false;
  std::vector<Overwrite> previous_overwrites;
  //! A private thread's event: users who count as its members besides those in it now (one just
  //! removed; all of a deleted thread's).
  std::vector<std::uint64_t> thread_members;
  //! Where the event sits in the cross-node event stream (bus::RedisBus: the stream entry id,
  //! packed by bus::packStreamId); 0 in-process. Set on receipt, never sent.
  std::uint64_t stream_pos = 0;
};

class EventBus {
public:
  using Handler = std::function<void(const Event&)>;
  //! Called once the event is safely on its way to every node (in-process: once delivered
  //! here); any thread.
  using Published = std::function<void()>;
  //! Carries a published event to every node; each calls deliverLocal with it. Calls
  //! `published` (if set) once the event is stored where every node will read it.
  using Transport = std::function<void(const Event&, Published published)>;

  //! Handlers run synchronously in deliverLocal: on the publishing thread without a transport,
  //! on the transport's thread with one. They must be quick and thread-safe.
  void subscribe(Handler handler) {
    std::lock_guard lock(mutex_);
    handlers_.push_back(std::move(handler));
  }
  //! Set at start-up, before events are published (an empty one goes back to in-process).
  void setTransport(Transport transport) {
    std::lock_guard lock(mutex_);
    transport_ = std::move(transport);
  }
  //! Without a transport: runs the handlers now. With one: hands the event over, and the
  //! handlers run when it comes back. `published` as for Transport.
  void publish(const Event& event, Published published = {}) const {
    Transport transport;
    {
      std::lock_guard lock(mutex_);
      transport = transport_;
    }
    if (transport) {
      transport(event, std::move(published));
      return;
    }
    deliverLocal(event);
    if (published) published();
  }
  //! Whether events go through a transport (several nodes).
  bool hasTransport() const {
    std::lock_guard lock(mutex_);
    return static_cast<bool>(transport_);
  }
  //! Runs this node's handlers (the transport calls it for every event it receives).
  void deliverLocal(const Event& event) const {
    std::vector<Handler> handlers;
    {
      std::lock_guard lock(mutex_);
      handlers = handlers_;
    }
    for (const auto& handler : handlers)
      handler(event);
  }

private:
  mutable std::mutex mutex_;
  std::vector<Handler> handlers_;
  Transport transport_;
};

} // namespace hearth::domain
