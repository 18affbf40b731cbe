# frozen_string_literal: true

# The ping side of the message-queue ping-pong, in Ruby: creates the two queues, sends
# ROUNDS pings and waits for each pong, then removes both.    ping.rb PING PONG ROUNDS
require "pipc"

Posix = Pipc::Posix
NEW_QUEUE = { flags: Posix::O_CREX, max_messages: 4, max_message_size: 128 }.freeze

rounds = Integer(ARGV[2], exception: false)
unless ARGV.size == 3 && rounds&.positive?
  warn "usage: #{File.basename($PROGRAM_NAME)} PING PONG ROUNDS"
  exit 2
end
ping_name, pong_name = ARGV
$stdout.sync = true   # the launcher starts the pong side when it sees the first line

Posix::MessageQueue.open(ping_name, **NEW_QUEUE) do |ping|
  Posix::MessageQueue.open(pong_name, **NEW_QUEUE) do |pong|
    puts "queues #{ping_name} and #{pong_name} are ready"
    1.upto(rounds) do |i|
      ping.send("ping #{i} from Ruby", timeout: 30)
      answer, = pong.receive(timeout: 30)
      puts %(sent ping #{i}, got "#{answer}")
    end
  ensure
    pong.unlink
  end
ensure
  ping.unlink
end
