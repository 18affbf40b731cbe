# frozen_string_literal: true

# Runs every test_*.rb here with minitest. --junit PATH also writes the cases as junit
# XML (meson counts the whole run as one test; .ci/summary.py reads the cases).
require_relative "junit_reporter"
Dir[File.join(__dir__, "test_*.rb")].sort.each { |file| require file }
exit Minitest.run(ARGV)
