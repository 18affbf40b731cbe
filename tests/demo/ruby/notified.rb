# frozen_string_literal: true

# Queue notification, in Ruby: creates the queue, asks for a block to run on a new thread
# when the queue turns non-empty, and receives COUNT messages, re-arming the notification
# before each.    notified.rb QUEUE COUNT
require "pipc"
require "timeout"

Posix = Pipc::Posix

count = Integer(ARGV[1], exception: false)
unless ARGV.size == 2 && count&.positive?
  warn "usage: #{File.basename($PROGRAM_NAME)} QUEUE COUNT"
  exit 2
end
name = ARGV[0]
$stdout.sync = true   # the launcher runs a sender for each "waiting" line
arrived = Thread::Queue.new

Posix::MessageQueue.open(name, flags: Posix::O_CREX, max_messages: 4, max_message_size: 128) do |queue|
  count.times do
    queue.request_notification { arrived << true }
    puts "waiting for a notification on #{name}"
    # Thread::Queue#pop takes a timeout only from Ruby 3.2; the binding supports 3.1
    Timeout.timeout(30, RuntimeError, "no notification within 30 s") { arrived.pop }
    message, priority = queue.receive(timeout: 5)
    puts %(notified: "#{message}" (priority #{priority}))
  end
ensure
  queue.unlink
end
