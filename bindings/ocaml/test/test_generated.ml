(* SPDX-License-Identifier: MIT *)
(* The binding with the trading schema's generated OCaml module (built by
   "myc gen --ocaml" in test/dune): every message type field by field,
   iterator and callback-thread subscribers, validation errors, a bus from
   a topology file and publisher-to-service. *)

open Mycelium

let schema =
  match Sys.getenv_opt "MYC_SCHEMA" with
  | Some s -> s
  | None -> Alcotest.fail "MYC_SCHEMA (the trading schema path) is not set"

(* A non-default value of every field, reaching the ends of integer ranges,
   varied by [seed]. *)
let sample_value seed (_, kind, elem, cap) =
  let int_of k i =
    match k with
    | "u8" -> 0xff - i | "u16" -> 0xffff - i | "u32" -> 0xffff_ffff - i
    | "i8" -> -0x80 + i | "i16" -> -0x8000 + i | "i32" -> -0x8000_0000 + i
    | _ -> Alcotest.failf "not an int kind %s" k
  in
  let scalar k i : Trading.value =
    match k with
    | "u64" -> Int64 (Int64.sub (-1L) (Int64.of_int i))
    | "i64" -> Int64 (Int64.add Int64.min_int (Int64.of_int i))
    | "f32" -> Float (1.5 +. float_of_int i)
    | "f64" -> Float ((1.0 /. 3.0) +. float_of_int i)
    | "bool" -> Bool (i mod 2 = 0)
    | k -> Int (int_of k i)
  in
  match kind with
  | "string" ->
      Trading.String (String.sub (Printf.sprintf "s%d-%s" seed (String.make cap 'x')) 0 cap)
  | "bytes" -> String (String.init cap (fun i -> Char.chr ((seed + i) land 0xff)))
  | "array" -> (
      let a = Array.init cap (fun i -> scalar elem (seed + i)) in
      let get f = Array.map f a in
      match elem with
      | "u64" | "i64" -> Int64s (get (function Trading.Int64 x -> x | _ -> 0L))
      | "f32" | "f64" -> Floats (get (function Trading.Float x -> x | _ -> 0.))
      | "bool" -> Bools (get (function Trading.Bool x -> x | _ -> false))
      | _ -> Ints (get (function Trading.Int x -> x | _ -> 0)))
  | k -> scalar k seed

let sample_values fields seed =
  List.mapi (fun i ((name, _, _, _) as f) -> (name, sample_value (seed + i) f)) fields

let check_values what want got =
  List.iter2
    (fun (n, w) (n', g) ->
      Alcotest.(check string) "field order" n n';
      if w <> g then Alcotest.failf "%s.%s differs" what n)
    want got

let every_type_field_by_field () =
  let bus = Bus.create ~name:"ocaml-gen" () in
  List.iter
    (fun (module M : Trading.MESSAGE) ->
      let module T = Typed (M) in
      T.topic bus ();
      let sub = T.subscriber bus and pub = T.publisher bus in
      let sent = List.map (fun s -> M.of_values (sample_values M.fields s)) [ 0; 1; 2 ] in
      List.iter (T.publish pub) sent;
      List.iter
        (fun m ->
          match T.recv ~timeout_ms:0 sub with
          | None -> Alcotest.failf "%s missing" M.name
          | Some got ->
              check_values M.name (M.to_values m) (M.to_values got);
              Alcotest.(check bool) "record equal" true (got = m))
        sent;
      Alcotest.(check bool) "no more" true (T.recv ~timeout_ms:0 sub = None);
      (* The frame carries the generated id and size. *)
      T.publish pub (List.hd sent);
      match Subscriber.recv ~timeout_ms:0 (T.raw_subscriber sub) with
      | None -> Alcotest.fail "raw message missing"
      | Some m ->
          Alcotest.(check int) "type id" M.type_id m.header.Frame.type_id;
          Alcotest.(check int) "len" (Frame.header_size + M.size) m.header.Frame.len)
    Trading.messages;
  Bus.close bus

let iterator_and_timeout () =
  let module Q = Typed (Trading.Quote) in
  let bus = Bus.create () in
  let sub = Q.subscriber bus and pub = Q.publisher bus in
  for i = 1 to 10 do
    Q.publish pub { Trading.Quote.default with instrument = i }
  done;
  let got = ref [] in
  Q.iter ~timeout_ms:50 sub (fun q -> got := q.Trading.Quote.instrument :: !got; true);
  Alcotest.(check (list int)) "in order" (List.init 10 succ) (List.rev !got);
  Bus.close bus

let callback_thread () =
  let module O = Typed (Trading.Order) in
  let bus = Bus.create () in
  O.topic bus ~policy:Lossless ~depth:4 ();
  let sub = O.subscriber bus in
  let got = ref [] and m = Mutex.create () in
  let w = O.spawn sub (fun o -> Mutex.lock m; got := o.Trading.Order.order_id :: !got; Mutex.unlock m) in
  (* A blocking publisher on a 4-deep lossless topic: it must wait for the
     callback thread, which must get the runtime lock while it waits. *)
  let pub = O.publisher ~timeout_ms:(-1) bus in
  for i = 1 to 300 do
    O.publish pub { Trading.Order.default with order_id = Int64.of_int i }
  done;
  let rec wait n =
    Mutex.lock m;
    let k = List.length !got in
    Mutex.unlock m;
    if k < 300 && n > 0 then (Thread.delay 0.01; wait (n - 1))
  in
  wait 3000;
  Alcotest.(check bool) "no callback error" true (Subscriber.stop w = None);
  Alcotest.(check (list int64)) "all, in order"
    (List.init 300 (fun i -> Int64.of_int (i + 1))) (List.rev !got);
  Bus.close bus

let validation_errors () =
  let module Q = Typed (Trading.Quote) in
  let bus = Bus.create () in
  let sub = Q.subscriber bus and pub = Q.publisher bus in
  let schema_error f =
    match f () with
    | _ -> Alcotest.fail "expected Schema_error"
    | exception Trading.Schema_error _ -> ()
  in
  schema_error (fun () -> Q.publish pub { Trading.Quote.default with instrument = -1 });
  schema_error (fun () ->
      Q.publish pub { Trading.Quote.default with symbol = String.make 17 'x' });
  Alcotest.(check bool) "nothing published" true (Q.recv ~timeout_ms:0 sub = None);
  (* Malformed payloads raise on receive; the next good one decodes. *)
  let raw = Q.raw_publisher pub in
  Publisher.send raw (Bytes.make 8 '\000');
  schema_error (fun () -> Q.recv ~timeout_ms:0 sub);
  let bad = Trading.Quote.encode { Trading.Quote.default with tradable = true } in
  Bytes.set bad 7 '\002';
  Publisher.send raw bad;
  schema_error (fun () -> Q.recv ~timeout_ms:0 sub);
  Q.publish pub { Trading.Quote.default with instrument = 9 };
  (match Q.recv ~timeout_ms:0 sub with
   | Some q -> Alcotest.(check int) "good one" 9 q.Trading.Quote.instrument
   | None -> Alcotest.fail "good message missing");
  (* In a callback thread the error is kept and delivery goes on. *)
  let n = ref 0 in
  let w = Q.spawn sub (fun _ -> incr n) in
  Publisher.send raw (Bytes.make 8 '\000');
  Q.publish pub Trading.Quote.default;
  let rec wait k = if !n = 0 && k > 0 then (Thread.delay 0.01; wait (k - 1)) in
  wait 3000;
  (match Subscriber.stop w with
   | Some (Trading.Schema_error _) -> ()
   | _ -> Alcotest.fail "expected the Schema_error to be kept");
  Alcotest.(check int) "good one delivered" 1 !n;
  (* A message larger than the topic's max_size. *)
  let module F = Typed (Trading.Fill) in
  F.topic bus ~max_size:16 ();
  (match F.publish (F.publisher bus) Trading.Fill.default with
   | _ -> Alcotest.fail "expected EMSGSIZE"
   | exception Error (c, _) -> Alcotest.(check int) "EMSGSIZE" 90 c);
  Bus.close bus

let topology =
  {|[[nodes]]
name = "md"
services = ["feed"]

[[nodes]]
name = "engine"
services = ["strategy", "risk"]

[topics."md.quote"]
ring_size = 4
max_size = 64

[topics."oms.order"]
policy = "lossless"
ring_size = 2
max_size = 128
|}

let with_file text f =
  let p = Filename.temp_file "myc-topo" ".toml" in
  let oc = open_out p in
  output_string oc text;
  close_out oc;
  Fun.protect ~finally:(fun () -> Sys.remove p) (fun () -> f p)

let expect_error code sub f =
  match f () with
  | _ -> Alcotest.failf "expected Mycelium.Error %d" code
  | exception Error (c, msg) ->
      Alcotest.(check int) "error code" code c;
      let n = String.length sub in
      let rec has i = i + n <= String.length msg && (String.sub msg i n = sub || has (i + 1)) in
      if not (has 0) then Alcotest.failf "%S not in %S" sub msg

let from_topology () =
  with_file topology (fun path ->
      let bus = Bus.from_topology ~schema path ~service:"strategy" in
      Alcotest.(check string) "node name" "engine" (Bus.name bus);
      Alcotest.(check (option string)) "service" (Some "strategy") (Bus.service bus);
      let module Q = Typed (Trading.Quote) in
      let sub = Q.subscriber bus and pub = Q.publisher bus in
      for i = 0 to 5 do
        Q.publish pub { Trading.Quote.default with instrument = i }
      done;
      let got = ref [] in
      Q.iter ~timeout_ms:0 sub (fun q -> got := q.Trading.Quote.instrument :: !got; true);
      Alcotest.(check (list int)) "ring of 4, lossy" [ 2; 3; 4; 5 ] (List.rev !got);
      Alcotest.(check int64) "lost" 2L (Subscriber.lost (Q.raw_subscriber sub));
      let module O = Typed (Trading.Order) in
      let _osub = O.subscriber bus and opub = O.publisher bus in
      O.publish opub Trading.Order.default;
      O.publish opub Trading.Order.default;
      expect_error Errors.back_pressured "" (fun () -> O.publish opub Trading.Order.default);
      Bus.close bus;
      Alcotest.(check (option string)) "plain bus" None (Bus.service (Bus.create ()));
      expect_error 2 "service \"nobody\" is in no node (services: feed, strategy, risk)"
        (fun () -> Bus.from_topology ~schema path ~service:"nobody");
      expect_error 22 "topics.md.quote: no type id" (fun () ->
          Bus.from_topology path ~service:"risk");
      expect_error 2 "no-such.yaml" (fun () ->
          Bus.from_topology ~schema:"no-such.yaml" path ~service:"risk"));
  expect_error 2 "/nonexistent/t.toml" (fun () ->
      Bus.from_topology "/nonexistent/t.toml" ~service:"a");
  with_file "[[nodes]]\nname = \"n\"\nservices = [\"a\"]\nprot = 1\n" (fun path ->
      expect_error 22 ":4:1: nodes[0].prot: unknown key" (fun () ->
          Bus.from_topology path ~service:"a"))

let publisher_to () =
  with_file topology (fun path ->
      let bus = Bus.from_topology ~schema path ~service:"strategy" in
      let module Q = Typed (Trading.Quote) in
      let mine = Q.subscriber bus and risk = Q.subscriber ~service:"risk" bus in
      let to_risk = Q.publisher ~to_service:"risk" bus and all = Q.publisher bus in
      let to_feed =
        Publisher.create_to bus ~type_id:Trading.Quote.type_id ~service:"feed" in
      Q.publish to_risk { Trading.Quote.default with instrument = 1 };
      Publisher.send to_feed (Trading.Quote.encode { Trading.Quote.default with instrument = 2 });
      Q.publish all { Trading.Quote.default with instrument = 3 };
      let ids s =
        let l = ref [] in
        Q.iter ~timeout_ms:0 s (fun q -> l := q.Trading.Quote.instrument :: !l; true);
        List.rev !l
      in
      Alcotest.(check (list int)) "risk" [ 1; 3 ] (ids risk);
      Alcotest.(check (list int)) "strategy" [ 3 ] (ids mine);
      expect_error 2 "\"nobody\" is not a service" (fun () ->
          Q.publisher ~to_service:"nobody" bus);
      expect_error 2 "\"nobody\" is not a service" (fun () ->
          Q.subscriber ~service:"nobody" bus);
      expect_error 22 "bad service name" (fun () ->
          Publisher.create_to bus ~type_id:1 ~service:"");
      Bus.close bus)

let () =
  Alcotest.run "mycelium-generated"
    [
      ( "generated",
        [
          Alcotest.test_case "every type field by field" `Quick every_type_field_by_field;
          Alcotest.test_case "iterator and timeout" `Quick iterator_and_timeout;
          Alcotest.test_case "callback thread + blocking publisher" `Quick callback_thread;
          Alcotest.test_case "validation errors" `Quick validation_errors;
        ] );
      ( "topology",
        [
          Alcotest.test_case "bus from topology" `Quick from_topology;
          Alcotest.test_case "publisher to service" `Quick publisher_to;
        ] );
    ]
